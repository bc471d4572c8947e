"""Settings of the query benchmark only: the production settings with a URLconf that adds the
empty view the benchmark compares against. Never used by the product."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.query_urls"
