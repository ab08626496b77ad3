from domain.privacy import CATEGORIES, Category

QUERY = """{ privacyInfo { controller contactEmail
  categories { key name purpose legalBasis source retentionDays } } }"""


async def test_privacy_info_is_public_and_lists_the_eleven_categories(gql):
    info = (await gql(QUERY)).ok()["privacyInfo"]
    assert info["controller"] and "@" in info["contactEmail"]
    keys = [c["key"] for c in info["categories"]]
    assert keys == [c.value for c in Category] and len(keys) == 11
    for published, declared in zip(info["categories"], CATEGORIES, strict=True):
        assert published["purpose"] == declared.purpose
        assert published["legalBasis"] and published["source"]
