def test_invoice_fixture_issues_through_service(invoice):
    assert invoice.events.count() == 1
    assert len(invoice.number) == 20 and invoice.number[2:4] == "11"
