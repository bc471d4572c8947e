"""URLconf of the query benchmark only: the product's URLs plus an empty view, served through the
same middleware stack, as the rate to compare the progress query with. The empty view comes last,
where the citizen app's root include is: it is resolved the same way as /q/result/."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as product_urlpatterns


@login_not_required
def empty(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"")


urlpatterns = [*product_urlpatterns, path("bench/empty/", empty, name="bench_empty")]

handler400 = "shoulian.core.views.bad_request"
handler403 = "shoulian.core.views.permission_denied"
handler404 = "shoulian.core.views.page_not_found"
handler500 = "shoulian.core.views.server_error"
