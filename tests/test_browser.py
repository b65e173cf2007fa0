"""A learner's session in a real browser: JupyterLab on loopback, Chromium driven by Playwright.

* `test_lesson_runs_clean[NB]`, for every notebook in nbs/ (globbed when the tests are collected, so new lessons are
  included): open it in JupyterLab, Run All, wait until every cell has run and the kernel is idle, and check that no
  cell shows an error, that the run took minutes (under CAMTEACH_RUNALL_MAX_S, default 900 s per lesson), and that
  after Save `git status` shows no tracked file changed. It runs in a faithful copy of the checkout: the tracked and
  new files of the working tree, committed into a fresh git repository, with the same `.ci/clean_on_save.py` hook
  that the README's setup command installs into `.venv` (checked here, not re-installed).
* `test_lesson_widget_responds`: a slider moved with the keyboard changes the widget's text readout.

Needs Chromium at /usr/bin/chromium (Debian package `chromium`). Without it the tests are skipped, unless
CAMTEACH_REQUIRE_BROWSER=1 (as in .ci/run), where a missing browser is a failure. Set CAMTEACH_BROWSER_NBS to a
comma-separated list of notebook names to run only those, and CAMTEACH_RUNALL_LOG to a file that collects each
lesson's wall and kernel CPU seconds as JSON lines."""
import json, os, secrets, shutil, socket, subprocess, sys, time, urllib.request
from pathlib import Path
import pytest

CHROMIUM = '/usr/bin/chromium'
ROOT = Path(__file__).resolve().parent.parent
NBS = ROOT/'nbs'
LESSON = '02_hooks.ipynb'
MAX_S = float(os.environ.get('CAMTEACH_RUNALL_MAX_S', 900))
ALL_NBS = sorted(p.name for p in NBS.glob('*.ipynb'))
ONLY = [n.strip() for n in os.environ.get('CAMTEACH_BROWSER_NBS', '').split(',') if n.strip()]
CHROME_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
               '--disable-component-update', '--disable-sync']

def _need_browser():
    if Path(CHROMIUM).exists(): return
    if os.environ.get('CAMTEACH_REQUIRE_BROWSER') == '1': pytest.fail(f'{CHROMIUM} is missing (apt-get install chromium)')
    pytest.skip(f'{CHROMIUM} is missing')

def _free_port():
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def _git(*args, cwd):
    return subprocess.run(['git', '-c', 'user.name=camteach-test', '-c', 'user.email=test@camteach.invalid', *args],
                          cwd=cwd, capture_output=True, text=True, check=True).stdout

def _start_lab(root:Path, tmp:Path):
    "JupyterLab serving `root`, with fresh user settings; returns (process, base url, token)."
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp/'cfg'), JUPYTERLAB_WORKSPACES_DIR=str(tmp/'ws'),
               JUPYTERLAB_SETTINGS_DIR=str(tmp/'settings'))
    env.pop('CAMTEACH_REFRESH', None); env.pop('CAMTEACH_SLOW', None)      # a learner's default session
    news = tmp/'settings'/'@jupyterlab'/'apputils-extension'; news.mkdir(parents=True, exist_ok=True)
    (news/'notification.jupyterlab-settings').write_text(json.dumps({'fetchNews': 'false', 'checkForUpdates': False}))
    log = open(tmp/'lab.log', 'w')
    p = subprocess.Popen([sys.executable, '-m', 'jupyterlab', '--no-browser', '--ServerApp.ip=127.0.0.1', f'--ServerApp.port={port}',
                          f'--IdentityProvider.token={token}', f'--ServerApp.root_dir={root}', '--LabApp.expose_app_in_browser=True', '--allow-root'],
                         stdout=log, stderr=subprocess.STDOUT, env=env)
    p.log = log
    for _ in range(240):
        if p.poll() is not None: pytest.fail('JupyterLab exited: ' + (tmp/'lab.log').read_text()[-2000:])
        try: urllib.request.urlopen(f'http://127.0.0.1:{port}/api/status?token={token}', timeout=2); break
        except Exception: time.sleep(0.5)
    else: _stop_lab(p); pytest.fail('JupyterLab did not start: ' + (tmp/'lab.log').read_text()[-2000:])
    return p, f'http://127.0.0.1:{port}', token

def _stop_lab(p):
    p.terminate()
    try: p.wait(20)
    except subprocess.TimeoutExpired: p.kill()
    p.log.close()

def _launch(pw): return pw.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)

KERNEL_IDLE = """() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return !!k && k.status === 'idle'; }"""

# ---------------------------------------------------------------------------------------------------------------
# Every lesson: Run All, no errors, minutes not hours, and Save leaves git clean

def _copy_checkout(dst:Path)->Path:
    "The working tree's tracked and new (not ignored) files, committed into a fresh repository at `dst`."
    files = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.split('\0')
    for f in filter(None, files):
        src = ROOT/f
        if src.is_file(): (dst/f).parent.mkdir(parents=True, exist_ok=True); shutil.copy2(src, dst/f)
    _git('init', '-q', cwd=dst); _git('add', '-A', cwd=dst); _git('commit', '-qm', 'checkout under test', cwd=dst)
    return dst

def _hook_installed()->bool:
    cfg = Path(sys.prefix)/'etc'/'jupyter'/'jupyter_server_config.py'
    return cfg.exists() and 'clean_on_save' in cfg.read_text()

@pytest.fixture(scope='module')
def browser():
    "One Playwright and one Chromium for the whole module: Playwright's sync API cannot be started twice at once."
    _need_browser()
    from playwright.sync_api import sync_playwright
    pw = sync_playwright().start(); b = _launch(pw)
    try: yield b
    finally: b.close(); pw.stop()

@pytest.fixture(scope='module')
def session(tmp_path_factory, browser):
    "One JupyterLab (on a copy of the checkout) and one Chromium page for all lessons."
    _need_browser()
    if not _hook_installed():
        pytest.fail(f'the clean-on-save hook is not installed in {sys.prefix}: run `python .ci/clean_on_save.py --install` '
                    '(part of the README setup command)')
    tmp = tmp_path_factory.mktemp('lab')
    repo = _copy_checkout(tmp/'camteach')
    p, base, token = _start_lab(repo/'nbs', tmp)
    page = None
    try:
        page = browser.new_page(viewport={'width': 1400, 'height': 1000})
        page.goto(f'{base}/lab?token={token}')
        page.wait_for_function('() => !!(window.jupyterapp && window.jupyterapp.started)', timeout=120_000)
        page.evaluate('() => window.jupyterapp.started')
        yield dict(page=page, repo=repo)
    finally:
        if page is not None: page.close()
        _stop_lab(p)

RUN_ALL = """async ([path, max_ms]) => {
  const app = window.jupyterapp;
  const w = await app.commands.execute('docmanager:open', {path});
  await w.context.ready; await w.sessionContext.ready;
  const t0 = Date.now();
  while (!(w.sessionContext.session && w.sessionContext.session.kernel && w.sessionContext.session.kernel.status === 'idle')) {
    if (Date.now() - t0 > 300000) throw new Error('kernel did not start in 5 minutes'); await new Promise(r => setTimeout(r, 200)); }
  app.shell.activateById(w.id);
  const t1 = Date.now();
  const ok = await Promise.race([app.commands.execute('notebook:run-all-cells'),
                                 new Promise(r => setTimeout(() => r('timeout'), max_ms))]);
  while (w.sessionContext.session.kernel.status !== 'idle' && Date.now() - t1 < max_ms) await new Promise(r => setTimeout(r, 200));
  const secs = (Date.now() - t1) / 1000;
  const cells = w.content.model.cells, errors = [], stderr = [], unrun = [];
  for (let i = 0; i < cells.length; i++) {
    const c = cells.get(i); if (c.type !== 'code') continue;
    const src = c.sharedModel.getSource();
    if (src.trim() && c.executionCount === null) unrun.push(i);
    for (const o of c.outputs.toJSON()) {
      if (o.output_type === 'error') errors.push(`cell ${i}: ${o.ename}: ${o.evalue}`);
      if (o.output_type === 'stream' && o.name === 'stderr') stderr.push(`cell ${i}: ` + [].concat(o.text).join('').slice(0, 300));
    }
  }
  await app.commands.execute('docmanager:save');
  const dirty = w.context.model.dirty;
  let cpu = null;                        // the kernel's CPU seconds (itself and its subprocesses): a load-independent cost
  const fut = w.sessionContext.session.kernel.requestExecute({store_history: false, code:
    'import resource as _r; _s, _c = _r.getrusage(_r.RUSAGE_SELF), _r.getrusage(_r.RUSAGE_CHILDREN); print(_s.ru_utime + _s.ru_stime + _c.ru_utime + _c.ru_stime)'});
  fut.onIOPub = msg => { if (msg.header.msg_type === 'stream') cpu = parseFloat(msg.content.text); };
  await Promise.race([fut.done, new Promise(r => setTimeout(r, 30000))]);   // a kernel still busy after a timeout gives no answer
  await w.sessionContext.shutdown(); w.dispose();
  return {ok, secs, cpu, errors, stderr, unrun, dirty};
}"""

@pytest.mark.parametrize('nb', ALL_NBS)
def test_lesson_runs_clean(session, nb):
    if ONLY and nb not in ONLY: pytest.skip('not in CAMTEACH_BROWSER_NBS')
    page, repo = session['page'], session['repo']
    r = page.evaluate(RUN_ALL, [nb, MAX_S * 1000])
    print(f"{nb}: Run All took {r['secs']:.0f} s (kernel CPU {r['cpu'] or 0:.0f} s)" + ''.join(f"\n  stderr {s}" for s in r['stderr']))
    if os.environ.get('CAMTEACH_RUNALL_LOG'):      # one JSON line per lesson, for the README's Run All column
        with open(os.environ['CAMTEACH_RUNALL_LOG'], 'a') as f: f.write(json.dumps(dict(nb=nb, secs=r['secs'], cpu=r['cpu'])) + '\n')
    changed = subprocess.run(['git', 'status', '--porcelain', '--untracked-files=no'], cwd=repo, capture_output=True, text=True).stdout
    diff = subprocess.run(['git', 'diff', '--stat'], cwd=repo, capture_output=True, text=True).stdout
    if changed: _git('checkout', '--', '.', cwd=repo)          # the next lesson starts from a clean copy again
    assert not r['errors'], f'{nb}: error output after Run All: {r["errors"]}'
    assert r['ok'] is True, f'{nb}: Run All did not complete ({r["ok"]}) after {r["secs"]:.0f} s'
    assert not r['unrun'], f'{nb}: cells that did not run: {r["unrun"]}'
    assert not [s for s in r['stderr'] if 'Traceback' in s], r['stderr']
    assert r['secs'] < MAX_S, f"{nb}: Run All took {r['secs']:.0f} s (limit {MAX_S:.0f} s)"
    assert not r['dirty'], f'{nb}: still unsaved after Save'
    assert changed == '', f'{nb}: Run All + Save changed tracked files:\n{changed}{diff}'

def test_clean_on_save_rules():
    "Without a browser: the hook's rules on a real lesson (unchanged cells -> committed; edited cells keep new outputs)."
    sys.path.insert(0, str(ROOT/'.ci'))
    try: import clean_on_save as h
    finally: sys.path.pop(0)
    ref = json.loads((NBS/'99_init.ipynb').read_text(encoding='utf-8'))
    nb = json.loads(json.dumps(ref)); nb['metadata']['language_info'] = {'name': 'python'}
    nb['metadata']['kernelspec']['display_name'] = 'Python 3 (ipykernel)'
    code = [c for c in nb['cells'] if c['cell_type'] == 'code']
    for i, c in enumerate(code):
        c.update(execution_count=i+1, metadata={'scrolled': True}, outputs=[{'output_type': 'stream', 'name': 'stdout', 'text': ['<A at 0x7f3a>\n']}])
    assert h.clean_nb(nb, ref, ROOT) == ref                                   # a re-run and JupyterLab's metadata: no change
    code[-1]['source'] = 'print(2)'
    out = h.clean_nb(nb, ref, ROOT); edited = [c for c in out['cells'] if c.get('id') == code[-1]['id']][0]
    assert edited['outputs'][0]['text'] == ['<A>\n'] and edited['execution_count'] is None and edited['metadata'] == {}
    assert [c for c in out['cells'] if c.get('id') != code[-1]['id']] == [c for c in ref['cells'] if c.get('id') != code[-1]['id']]
    assert out['metadata'] == ref['metadata']
    assert h.clean_nb(nb, None, ROOT)['metadata']['kernelspec']['display_name'] == 'python3'   # new file: nbdev's rules only

# ---------------------------------------------------------------------------------------------------------------
# A widget responds to the keyboard

@pytest.fixture
def lab(tmp_path):
    _need_browser()
    root = tmp_path/'nbs'; root.mkdir()
    shutil.copy(NBS/LESSON, root/LESSON)                     # JupyterLab saves: never touch the repo's notebook
    p, base, token = _start_lab(root, tmp_path)
    try: yield f'{base}/lab/tree/{LESSON}?token={token}'
    finally: _stop_lab(p)

def _readout(page):
    out = page.locator('.widget-interact .jp-OutputArea-output', has_text='readout:').last
    out.scroll_into_view_if_needed()          # JupyterLab does not render cells far off screen: read the text itself
    return out.text_content()

def test_lesson_widget_responds(lab, browser):
    page = browser.new_page(viewport={'width': 1400, 'height': 1000})
    try:
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
            .filter(e => e.textContent.includes('readout:')); return o.length && o[o.length-1].textContent.includes('channel=3 '); }""", timeout=60_000)
        after = _readout(page)
        assert after != before and 'channel=3 ' in after and 'layer=features.3' in after, after
        page.screenshot(path=str(Path(os.environ.get('CAMTEACH_SHOT_DIR', '/tmp'))/'browser_widget.png'))
    finally: page.close()
