from django.http import HttpResponse


def home(request):
    return HttpResponse("")


deal_list = deal_detail = inquiry_list = company_list = company_detail = home
regulator_list = regulator_detail = deadlines = home
