"""The tax platform as the back office sees it: the gateway interface and its simulated and HTTP
implementations, the simulator and its server, the export layout, and getting every invoice onto the platform
(sync state, attempts, the services and tasks that upload, verify and sweep)."""
