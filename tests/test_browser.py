"""A real browser: JupyterLab on loopback, a lesson run in Chromium, a slider moved, the widget's text readout checked.

Needs Chromium at /usr/bin/chromium (Debian package `chromium`). Without it the test is skipped, unless
CAMTEACH_REQUIRE_BROWSER=1 (as in .ci/run), where a missing browser is a failure."""
import json, os, secrets, shutil, socket, subprocess, sys, time, urllib.request
from pathlib import Path
import pytest

CHROMIUM = '/usr/bin/chromium'
NBS = Path(__file__).resolve().parent.parent/'nbs'
LESSON = '02_hooks.ipynb'

def _need_browser():
    if Path(CHROMIUM).exists(): return
    if os.environ.get('CAMTEACH_REQUIRE_BROWSER') == '1': pytest.fail(f'{CHROMIUM} is missing (apt-get install chromium)')
    pytest.skip(f'{CHROMIUM} is missing')

def _free_port():
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

@pytest.fixture
def lab(tmp_path):
    _need_browser()
    root = tmp_path/'nbs'; root.mkdir()
    shutil.copy(NBS/LESSON, root/LESSON)                     # JupyterLab saves: never touch the repo's notebook
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path/'cfg'), JUPYTERLAB_WORKSPACES_DIR=str(tmp_path/'ws'),
               JUPYTERLAB_SETTINGS_DIR=str(tmp_path/'settings'))
    news = tmp_path/'settings'/'@jupyterlab'/'apputils-extension'; news.mkdir(parents=True)
    (news/'notification.jupyterlab-settings').write_text(json.dumps({'fetchNews': 'false', 'checkForUpdates': False}))
    log = open(tmp_path/'lab.log', 'w')
    p = subprocess.Popen([sys.executable, '-m', 'jupyterlab', '--no-browser', '--ServerApp.ip=127.0.0.1', f'--ServerApp.port={port}',
                          f'--IdentityProvider.token={token}', f'--ServerApp.root_dir={root}', '--LabApp.expose_app_in_browser=True', '--allow-root'],
                         stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        for _ in range(120):
            if p.poll() is not None: pytest.fail('JupyterLab exited: ' + (tmp_path/'lab.log').read_text()[-2000:])
            try: urllib.request.urlopen(f'http://127.0.0.1:{port}/api/status?token={token}', timeout=2); break
            except Exception: time.sleep(0.5)
        else: pytest.fail('JupyterLab did not start: ' + (tmp_path/'lab.log').read_text()[-2000:])
        yield f'http://127.0.0.1:{port}/lab/tree/{LESSON}?token={token}'
    finally:
        p.terminate()
        try: p.wait(20)
        except subprocess.TimeoutExpired: p.kill()
        log.close()

KERNEL_IDLE = """() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return !!k && k.status === 'idle'; }"""

def _readout(page):
    return page.locator('.widget-interact .jp-OutputArea-output', has_text='readout:').last.inner_text()

def test_lesson_widget_responds(lab):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                               '--disable-background-networking', '--disable-component-update', '--disable-sync'])
        try:
            page = b.new_page(viewport={'width': 1400, 'height': 1000})
            page.goto(lab)
            page.wait_for_function(KERNEL_IDLE, timeout=120_000)
            page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
            page.locator('.widget-interact .jp-OutputArea-output', has_text='readout:').first.wait_for(timeout=240_000)
            before = _readout(page)
            assert 'layer=features.3' in before and 'channel=0' in before
            handle = page.locator('.widget-interact .widget-hslider').nth(1).locator('.noUi-handle')   # the channel slider
            handle.scroll_into_view_if_needed(); handle.focus()
            for _ in range(3): page.keyboard.press('ArrowRight')
            page.wait_for_function("""() => { const o = [...document.querySelectorAll('.widget-interact .jp-OutputArea-output')]
                .filter(e => e.innerText.includes('readout:')); return o.length && o[o.length-1].innerText.includes('channel=3 '); }""", timeout=60_000)
            after = _readout(page)
            assert after != before and 'channel=3 ' in after and 'layer=features.3' in after, after
            page.screenshot(path=str(Path(os.environ.get('CAMTEACH_SHOT_DIR', '/tmp'))/'browser_widget.png'))
        finally: b.close()
