import pytest

from browsing import open_browser


@pytest.fixture
def browser():
    driver = open_browser()
    yield driver
    driver.quit()
