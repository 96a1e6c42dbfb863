"""What a person does on Kexu's pages, in browser steps shared by the e2e tests."""


def sign_in(page, username: str, password: str) -> None:
    """Sign in through the login form, as a person would."""
    page.goto("/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    with page.expect_navigation():
        page.locator("#submit").click()


def choose_language(page, locale: str) -> None:
    """Press a language button in the navbar (zh_Hans_CN or en)."""
    with page.expect_navigation():
        page.locator(f'nav button[name="locale"][value="{locale}"]').click()


def html_lang(page) -> str:
    return page.locator("html").get_attribute("lang")


def pressed_language(page) -> str:
    return page.locator('nav button[name="locale"][aria-pressed="true"]').get_attribute("value")


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the viewport (0 when it fits)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
