"""Reading times of the lessons, counted by one stated rule, and a check that the lessons and the README quote them.

Rule: prose at 200 words a minute plus code at 10 lines a minute (the lesson's own cells, up to its
"Tests" section; hidden cells and `#|` directives not counted), rounded to the nearest 5 minutes (at least 5).
Trying the widget and the exercises comes on top. Run All times are measured separately (the browser test's
kernel CPU seconds; the README's "Run All" column), and each lesson's "Before you start" line must quote the same.

    python .ci/lesson_times.py            # print the table
    python .ci/lesson_times.py --check    # exit 1 if a lesson or the README quotes another reading time or Run All time
    python .ci/lesson_times.py --write [--runall-log FILE]
        # write the reading times into nbs/index.ipynb's lesson table and each lesson's "Reading takes about N minutes",
        # and, from a log of the browser test (CAMTEACH_RUNALL_LOG=FILE), the Run All column and each lesson's
        # "*Run All* computes for ..."; then run `python .ci/make_readme.py`"""
import json, re, sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(root/'.ci'))
from make_readme import directives                   # the cells the README leaves out are the cells a reader skips here
WPM, LPM = 200, 10

def counts(nb):
    "Prose words and code lines a learner reads, up to the lesson's Tests section."
    words = lines = 0
    for c in nb['cells']:
        src = ''.join(c['source'])
        if c['cell_type'] == 'markdown':
            if re.match(r'#+\s*Tests\b', src.lstrip()): break
            words += len(re.findall(r'\w+', src))
        elif c['cell_type'] == 'code':
            if any(x.split()[0] in ('hide', 'exporti') for x in directives(src) if x): continue
            lines += sum(1 for l in src.splitlines() if l.strip() and not l.strip().startswith('#|'))
    return words, lines

def reading_minutes(words, lines): return max(5, 5 * round((words / WPM + lines / LPM) / 5))

def readme_runall():
    "lesson name -> the README's Run All cell, e.g. '< 1 min' or '2 min'."
    out = {}
    for m in re.finditer(r'^\| [^|]* \| \[(\w+)\]\(nbs/\w+\.ipynb\) \|[^|]*\| ([^|]+?) \| ([^|]+?) \|[^|]*\|$', (root/'README.md').read_text(), re.M):
        out[m[1]] = (m[2].strip(), m[3].strip())
    return out

def phrase_runall(cell): return 'under a minute' if cell == '< 1 min' else f"about {cell.split()[0]} minutes"

def runall_cell(cpu:float)->str:
    "The README's Run All cell for a lesson's kernel CPU seconds, rounded up to whole minutes."
    import math
    return '< 1 min' if cpu < 60 else f'{math.ceil(cpu / 60)} min'

def write(log=None):
    import nbformat
    cpu = {}
    if log:
        for line in Path(log).read_text().splitlines():
            if line.strip(): d = json.loads(line); cpu[Path(d['nb']).stem] = d['cpu']
    ip = root/'nbs'/'index.ipynb'; nb = nbformat.read(ip, as_version=4)
    table = {}
    for p in sorted((root/'nbs').glob('[0-9]*.ipynb')):
        lnb = nbformat.read(p, as_version=4); m = reading_minutes(*counts(lnb)); table[p.stem] = m
        if p.stem == '99_init': continue
        for c in lnb.cells:
            if 'Before you start' in c.source:
                c.source = re.sub(r'Reading takes about \d+ minutes', f'Reading takes about {m} minutes', c.source)
                if p.stem in cpu:
                    c.source = re.sub(r'\*Run All\* computes for (under a minute|about \d+ minutes)',
                                      f'*Run All* computes for {phrase_runall(runall_cell(cpu[p.stem]))}', c.source)
                break
        nbformat.write(lnb, p)
    for c in nb.cells:
        if c.cell_type != 'markdown' or '| # | lesson |' not in c.source: continue
        out = []
        for line in c.source.split('\n'):
            mm = re.match(r'^\| ([^|]*) \| \[(\w+)\]\((\w+)\.ipynb\) \| ([^|]*) \| ([^|]+?) \| ([^|]+?) \| ([^|]*) \|$', line)
            if mm and mm[2] in table:
                run = runall_cell(cpu[mm[2]]) if mm[2] in cpu else mm[6]
                line = f'| {mm[1]} | [{mm[2]}]({mm[3]}.ipynb) | {mm[4]} | {table[mm[2]]} min | {run} | {mm[7]} |'
            out.append(line)
        c.source = '\n'.join(out)
    nbformat.write(nb, ip)
    print('wrote the reading times' + (f' and the Run All times of {len(cpu)} lessons' if cpu else '') + '; now run python .ci/make_readme.py and nbdev_clean')

def main():
    if '--write' in sys.argv:
        a = sys.argv; write(a[a.index('--runall-log') + 1] if '--runall-log' in a else None); return
    check, bad, rows = '--check' in sys.argv, [], []
    table = readme_runall()
    for p in sorted((root/'nbs').glob('[0-9]*.ipynb')):
        nb = json.loads(p.read_text()); w, l = counts(nb); m = reading_minutes(w, l)
        rows.append(f'{p.stem:18s} {w:6d} words {l:5d} code lines  reading {m:3d} min  README {table.get(p.stem)}')
        if p.stem == '99_init': continue
        intro = next((''.join(c['source']) for c in nb['cells'] if 'Before you start' in ''.join(c['source'])), None)
        if intro is None: bad.append(f'{p.name}: no "Before you start" line'); continue
        if not re.search(rf'Reading takes about {m} minutes\b', intro): bad.append(f'{p.name}: should say "Reading takes about {m} minutes"')
        if p.stem not in table: bad.append(f'{p.name}: no row in the README table'); continue
        reading, runall = table[p.stem]
        if reading != f'{m} min': bad.append(f'README row {p.stem}: reading should be "{m} min", is "{reading}"')
        if f'*Run All* computes for {phrase_runall(runall)}' not in intro:
            bad.append(f'{p.name}: should say "*Run All* computes for {phrase_runall(runall)}" (README: {runall})')
    print('\n'.join(rows))
    if bad: print('\n'.join(['', 'not as measured:'] + bad))
    if check and bad: sys.exit(1)

if __name__ == '__main__': main()
