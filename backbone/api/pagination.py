from typing import Any

from rest_framework import pagination

EXAMPLE_PAGE = "https://backbone.example.org/api/v1/o/lakeshore/commitments/?page={}"


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        """DRF's, with examples of this API's own addresses rather than DRF's placeholder."""
        paged = super().get_paginated_response_schema(schema)
        properties = paged["properties"]
        properties["count"]["example"] = 230
        properties["next"]["example"] = EXAMPLE_PAGE.format(4)
        properties["previous"]["example"] = EXAMPLE_PAGE.format(2)
        return paged
