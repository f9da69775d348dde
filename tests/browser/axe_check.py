"""axe-core WCAG 2.1 A/AA checks for browser tests (shared by every page's test).

axe-core comes from npm (tests/browser/axe/package.json; `make test` installs it when
npm exists); modules using these helpers skip when it is missing (``AXE_MISSING``).
axe is injected as a script, which the app's CSP rightly forbids, so modules that use
it set ``bypass_csp`` in their ``browser_context_args`` fixture.
"""

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page

AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
AXE_MISSING = pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (npm)")

_RUN = """async () => {
    const r = await axe.run(document, {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
    return r.violations.map(v => ({id: v.id, impact: v.impact,
        nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""


def violations_here(page: Page, name: str) -> list[str]:
    """axe on the page as it is (e.g. the answer to a post, which cannot be opened again)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(_RUN)
    return [f"{name}: {v['id']} ({v['impact']}) at {json.dumps(v['nodes'])}" for v in result]


def violations(page: Page, path: str) -> list[str]:
    """Open ``path`` and return axe's violations there, one line each."""
    page.goto(path)
    return violations_here(page, path)
