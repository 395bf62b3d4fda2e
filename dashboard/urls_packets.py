"""Board packets: an initiative's history (and the button to make one), one packet, its PDF."""

from django.urls import URLPattern, path

from dashboard import views_packets

urlpatterns: list[URLPattern] = [
    path(
        "initiatives/<int:initiative_id>/packets/",
        views_packets.packets,
        name="board_packets",
    ),
    path("packets/<int:packet_id>/", views_packets.packet_detail, name="board_packet_detail"),
    path(
        "packets/<int:packet_id>/download/",
        views_packets.packet_download,
        name="board_packet_download",
    ),
]
