"""JupyterLab saves a lesson the way it is committed: re-running a notebook is not a change for git, editing it is.

    python .ci/clean_on_save.py --install    # once, in the activated .venv (the README's setup command does it)

`--install` writes a pre-save hook into the virtual environment's Jupyter config
(`.venv/etc/jupyter/jupyter_server_config.py`), so it acts only in a JupyterLab started from this `.venv`,
and only on notebooks inside a camteach clone. This is nbdev's idea (`nbdev_install_hooks` installs a
pre-save hook that runs `nbdev_clean`), taken one step further, because cleaning metadata is not enough:
a re-run also changes outputs (widget ids, timings, random draws, figure bytes). On every save the hook:
* cleans the notebook the nbdev way: no execution counts, only the kernelspec in the notebook metadata,
  no cell metadata, no memory addresses in text outputs;
* keeps the committed version of every cell whose source is unchanged (same cell id and source as in
  git's index), outputs included; a cell the learner edited keeps its new source and outputs.
So after opening a lesson, Run All and Save, the file is byte for byte the committed one and `git status`
is clean; after an edit, `git diff` shows the edited cells. To save fresh outputs on purpose, start
JupyterLab with `CAMTEACH_REFRESH=1` (or use `python .ci/execute_lessons.py`). Standard library only."""
import json, os, re, subprocess, sys
from pathlib import Path

NB_META = {'kernelspec', 'jekyll', 'jupytext', 'doc', 'widgets'}     # what nbdev_clean keeps (plus settings.ini's keys)
CELL_META = {'hide_input'}
_addr = re.compile(r'(<.*?)( at 0x[0-9a-fA-F]+)(>)')

def _settings_keys(root, key):
    "Extra metadata keys allowed by settings.ini (`allowed_metadata_keys`, `allowed_cell_metadata_keys`)."
    try: txt = (Path(root)/'settings.ini').read_text(encoding='utf-8')
    except OSError: return set()
    m = re.search(rf'^{key}\s*=(.*)$', txt, re.M)
    return set(m.group(1).split()) if m else set()

def _src(x): return ''.join(x) if isinstance(x, list) else (x or '')

def _clean_text(t):
    if isinstance(t, list): return [_clean_text(o) for o in t]
    return _addr.sub(r'\1\3', t) if 'at 0x' in t else t

def clean_cell(c:dict, cell_keys=CELL_META)->dict:
    "nbdev_clean's rules for one cell: no execution counts, no cell metadata, no memory addresses in text outputs."
    c = dict(c)
    if c.get('cell_type') == 'code':
        c['execution_count'] = None
        outs = []
        for o in c.get('outputs', []):
            o = dict(o)
            if 'execution_count' in o: o['execution_count'] = None
            if 'data' in o:
                d = dict(o['data']); d.pop('application/vnd.google.colaboratory.intrinsic+json', None)
                for k in d:
                    if k.startswith('text'): d[k] = _clean_text(d[k])
                    if k.startswith('image') and 'svg' not in k and isinstance(d[k], str): d[k] = d[k].rstrip()
                o['data'] = d
            if 'text' in o: o['text'] = _clean_text(o['text'])
            outs.append(o)
        c['outputs'] = outs
    c['metadata'] = {k: v for k, v in c.get('metadata', {}).items() if k in cell_keys}
    return c

def clean_nb(nb:dict, ref:dict=None, root='.')->dict:
    "Clean `nb`; a cell with the same id and source as in `ref` (the committed notebook) is taken as committed."
    byid = {c.get('id'): c for c in (ref or {}).get('cells', []) if c.get('id')}
    keys = CELL_META | _settings_keys(root, 'allowed_cell_metadata_keys')
    cells = []
    for c in nb.get('cells', []):
        r = byid.get(c.get('id'))
        same = r is not None and r.get('cell_type') == c.get('cell_type') and _src(r.get('source')) == _src(c.get('source'))
        cells.append(json.loads(json.dumps(r)) if same else clean_cell(c, keys))
    out = dict(nb, cells=cells)
    if ref is not None: out.update(metadata=ref.get('metadata', {}), nbformat=ref.get('nbformat'), nbformat_minor=ref.get('nbformat_minor'))
    else:
        md = {k: v for k, v in nb.get('metadata', {}).items() if k in NB_META | _settings_keys(root, 'allowed_metadata_keys')}
        if md.get('kernelspec', {}).get('name'): md['kernelspec'] = dict(md['kernelspec'], display_name=md['kernelspec']['name'])
        out['metadata'] = md
    return out

def camteach_root(os_path):
    "The root of the camteach clone that holds `os_path`, or None."
    r = subprocess.run(['git', 'rev-parse', '--show-toplevel'], cwd=Path(os_path).parent, capture_output=True, text=True)
    root = Path(r.stdout.strip()) if r.returncode == 0 else None
    return root if root and (root/'.ci'/'clean_on_save.py').exists() and (root/'settings.ini').exists() else None

def committed(root, os_path):
    "The notebook as in git's index, or None (not tracked, a merge in progress, or CAMTEACH_REFRESH=1)."
    if os.environ.get('CAMTEACH_REFRESH') == '1': return None
    rel = Path(os_path).resolve().relative_to(Path(root).resolve()).as_posix()
    r = subprocess.run(['git', 'cat-file', 'blob', f':{rel}'], cwd=root, capture_output=True)
    try: return json.loads(r.stdout.decode('utf-8')) if r.returncode == 0 else None
    except ValueError: return None

def pre_save(model, path, contents_manager, **kwargs):
    "Jupyter pre-save hook: clean a camteach notebook and keep the committed version of unchanged cells."
    if model.get('type') != 'notebook' or not isinstance(model.get('content'), dict): return
    try:
        os_path = contents_manager._get_os_path(path)
        root = camteach_root(os_path)
        if root is None: return
        new = clean_nb(model['content'], committed(root, os_path), root)
        model['content'].clear(); model['content'].update(new)
    except Exception as e: print(f'camteach clean-on-save skipped for {path}: {type(e).__name__}: {e}', file=sys.stderr)

MARK = '# camteach: clean lessons on save'
def install():
    "Add the pre-save hook to this environment's Jupyter server config (idempotent)."
    cfg = Path(sys.prefix)/'etc'/'jupyter'/'jupyter_server_config.py'
    here = Path(__file__).resolve().parent
    block = (f"{MARK} (written by .ci/clean_on_save.py --install)\n"
             f"import sys as _sys; _sys.path.insert(0, {str(here)!r})\n"
             f"from clean_on_save import pre_save as _camteach_pre_save\n"
             f"c.ContentsManager.pre_save_hook = _camteach_pre_save\n")
    old = cfg.read_text() if cfg.exists() else ''
    if MARK in old: old = old[:old.index(MARK)].rstrip('\n') + ('\n' if old[:old.index(MARK)].strip() else '')
    elif re.search(r'pre_save_hook', old): sys.exit(f'{cfg} already sets a pre_save_hook; add this one by hand:\n{block}')
    cfg.parent.mkdir(parents=True, exist_ok=True); cfg.write_text(old + block)
    print(f'JupyterLab in {sys.prefix} now saves lessons clean (hook in {cfg})')
    user = Path(os.environ.get('JUPYTER_CONFIG_DIR', Path.home()/'.jupyter'))/'jupyter_server_config.py'
    if user.exists() and 'pre_save_hook' in user.read_text():      # e.g. from nbdev_install_hooks: user config wins
        print(f'warning: {user} sets its own pre_save_hook, which replaces this one; remove that line to use this hook '
              '(it already does what nbdev_clean does)', file=sys.stderr)

if __name__ == '__main__':
    if sys.argv[1:] == ['--install']: install()
    else: sys.exit(__doc__)
