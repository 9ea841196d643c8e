from django.conf import settings


def service_desk(request):
    """The company's name and service phone on every portal page (settings SERVICE_COMPANY_NAME, SERVICE_PHONE)."""
    return {"company_name": getattr(settings, "SERVICE_COMPANY_NAME", ""),
            "service_phone": getattr(settings, "SERVICE_PHONE", "")}
