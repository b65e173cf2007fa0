"""Benchmark camteach against pytorch-grad-cam and torchcam, and check that their maps agree.

    python bench/bench_cams.py                      # ResNet-50 and EfficientNet-Lite0, 224x224, batches 1 and 8, this machine's device
    python bench/bench_cams.py --quick              # a fast smoke run (ResNet-18 and EfficientNet-Lite0, batch 1, few repeats)
    python bench/bench_cams.py --section methods    # only the ratios of lessons 8a/8b's methods (issue 12), see below
    python bench/bench_cams.py --section methods --quick   # their smoke run: every row once, tiny settings (numbers not to quote)

Extra packages: pip install -c constraints.txt -e ".[bench]". Two networks are timed:
* torchvision's ResNet-50 with *random* weights (its ImageNet weights are not available offline): this measures time and
  checks arithmetic; nothing is explained with it;
* EfficientNet-Lite0 with its *trained* ImageNet weights (`camteach.photos.load_photo_model`, offline) on the course's
  photos, so that one set of rows is on weights that mean something (its layers: bn2, the last feature map, and blocks.4).
Timings are round-robin (every method once per round, in a fixed order), after warm-up rounds, and the median over rounds
is reported, as milliseconds and as a ratio to the floor: forward + torch.autograd.grad of the target scores down to the
same layer.

`--section methods` times the methods of lessons 8a and 8b, each as a ratio to what it cannot avoid (targets of issue 12):
(a) every gradient method from one `camteach.explain` call vs the floor, forward + autograd.grad (target <= 1.15), as the
    median over rounds of each round's ratio (the floor runs in the same round, so a slower or faster spell cancels out);
(b) occlusion, Score-CAM and RISE vs the batched no-grad forward passes they need (`camteach.perturb.speed_ratio`, target <= 1.1),
    and their peak memory at two mask counts and two batch sizes (memory should follow the batch size, not the mask count);
(c) Score-CAM vs pytorch-grad-cam's ScoreCAM at the same output (`camteach.perturb.scorecam_speed`; target >= 1.5x faster on
    EfficientNet-Lite0's bn2 for the photos chelsea, coffee and camera, and never slower on any network of the run), with the
    largest difference of the two normalised maps;
(d) Augmented Grad-CAM with N warps vs N single Grad-CAMs (`camteach.gradvariants.augmented_cost`, target <= 1.2), with the
    warp matrix kept from an earlier call (the usual case: the default warps are seeded) and, in brackets, built anew.
Networks: the course's trained shapes-gap (64x64) and the trained EfficientNet-Lite0 on the course photos (224x224).
"""
import importlib.metadata
import argparse, gc, json, os, platform, re, resource, statistics, subprocess, sys, time
import torch, torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))


PHOTO_NETS = ('efficientnet-lite0',)     # trained networks from camteach.photos
LAYERS = {'resnet50': {'last': 'layer4.2', 'mid': 'layer3.5'}, 'resnet18': {'last': 'layer4.1', 'mid': 'layer3.1'},
          'efficientnet-lite0': {'last': 'bn2', 'mid': 'blocks.4'}}


def weights_note(arch):
    if arch in COURSE_NETS: return "the course's trained weights, 64x64 test images"
    return 'trained ImageNet weights, the course photos' if arch in PHOTO_NETS else 'random weights'


COURSE_NETS = {'shapes-gap': ('features.3', 'features.2')}   # the course's trained models (64x64) and their layers


def make_model(arch, device, seed=0):
    "The network in eval mode: a trained photo model, a trained course model, or a torchvision model with random weights."
    if arch in COURSE_NETS:
        from camteach.models import load_model
        return load_model(arch).eval().to(device)
    if arch in PHOTO_NETS:
        from camteach.photos import load_photo_model
        return load_photo_model(arch, device)
    from torchvision import models
    torch.manual_seed(seed)
    return getattr(models, arch)(weights=None).eval().to(device)


def make_input(arch, batch, device, seed=0):
    "A batch at 224x224: the course photos (cycled) for a photo model, random numbers otherwise (course models: test images)."
    if arch in COURSE_NETS:
        from camteach.models import make_data, TEST_SEED
        return make_data(arch, batch, TEST_SEED)[0].to(device)
    if arch in PHOTO_NETS:
        from camteach.photos import photo, photo_normalize
        names = ['chelsea', 'coffee', 'grace_hopper', 'china', 'flower', 'astronaut']
        return photo_normalize(torch.stack([photo(names[i % len(names)]) for i in range(batch)])).to(device)
    torch.manual_seed(seed)
    return torch.randn(batch, 3, 224, 224, device=device)


def build(arch, batch, device, seed=0):
    "Model (eval mode), input batch and fixed target classes (the predicted ones)."
    model, x = make_model(arch, device, seed), make_input(arch, batch, device, seed)
    with torch.no_grad(): t = model(x).argmax(1)
    return model, x, t


def sync(device):
    if device.startswith('cuda'): torch.cuda.synchronize()


# ---- the floor --------------------------------------------------------------------------------------------------
def floor_fwd(model, x, t, layer):
    with torch.no_grad(): model(x)


def floor_grad(model, x, t, layer):
    "Forward, then autograd.grad of the summed target logits w.r.t. the layer's output: nothing else."
    mod = model.get_submodule(layer); store = {}
    h = mod.register_forward_hook(lambda m, i, o: store.__setitem__('a', o))
    try:
        out = model(x)
        torch.autograd.grad(out.gather(1, t[:, None]).sum(), store['a'])
    finally: h.remove()


# ---- camteach -----------------------------------------------------------------------------------------------------
def ct(methods):
    def f(model, x, t, layer):
        import camteach
        return camteach.explain(model, x, layer, methods=methods, target=t)
    return f


# ---- pytorch-grad-cam ---------------------------------------------------------------------------------------------
def pgc(name):
    def f(model, x, t, layer):
        import pytorch_grad_cam as P
        from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget
        with getattr(P, name)(model=model, target_layers=[model.get_submodule(layer)]) as cam:
            return cam(input_tensor=x, targets=[ClassifierOutputTarget(int(c)) for c in t])
    return f


# ---- torchcam -----------------------------------------------------------------------------------------------------
def tc(name):
    def f(model, x, t, layer):
        import torchcam.methods as T
        ext = getattr(T, name)(model, target_layer=layer)
        try:
            out = model(x)
            return ext(class_idx=[int(c) for c in t], scores=out)[0]
        finally: ext.remove_hooks()
    return f


def ref_cfcam(model, x, t, layer):
    "The course's reference CFCAM (lesson 8: per image, scikit-learn's DBSCAN) on one capture."
    from camteach.hooks import capture
    from camteach.cfcam import cfcam
    return cfcam(*capture(model, x, layer, t)[layer])


def methods_for(layer_kind):
    "Name -> callable. layer_kind is 'last' (layer4) or 'mid' (layer3)."
    m = {'floor: forward only': floor_fwd, 'floor: forward + autograd.grad': floor_grad}
    if layer_kind == 'last':
        m.update({
            'camteach explain(gradcam, layercam, hybrid)': ct(('gradcam', 'layercam', 'hybrid')),
            'camteach explain(gradcam, layercam, hybrid, cfcam)': ct(('gradcam', 'layercam', 'hybrid', 'cfcam')),
            'camteach gradcam': ct(('gradcam',)), 'camteach layercam': ct(('layercam',)), 'camteach hybrid': ct(('hybrid',)),
            'camteach cfcam': ct(('cfcam',)), 'camteach cfcam, reference (lesson 8, per image)': ref_cfcam,
            'pytorch-grad-cam GradCAM': pgc('GradCAM'), 'pytorch-grad-cam LayerCAM': pgc('LayerCAM'),
            'torchcam GradCAM': tc('GradCAM'), 'torchcam LayerCAM': tc('LayerCAM'),
        })
    else:
        m.update({'camteach cfcam': ct(('cfcam',)), 'camteach cfcam, reference (lesson 8, per image)': ref_cfcam,
                  'camteach explain(gradcam, layercam, hybrid)': ct(('gradcam', 'layercam', 'hybrid'))})
    return m


def time_round_robin(fns, model, x, t, layer, device, repeats, warmup, raw=False):
    "Median ms per function over round-robin rounds (and, with raw=True, every round's ms too)."
    times = {k: [] for k in fns}
    for r in range(warmup + repeats):
        for k, f in fns.items():
            gc.collect(); sync(device); t0 = time.perf_counter()
            f(model, x, t, layer)
            sync(device); dt = time.perf_counter() - t0
            if r >= warmup: times[k].append(dt * 1000)
            model.zero_grad(set_to_none=True)         # pytorch-grad-cam's full backward fills parameter .grad
    med = {k: statistics.median(v) for k, v in times.items()}
    return (med, times) if raw else med


# ---- peak memory, one method per child process ------------------------------------------------------------------
def child_memory(arch, batch, device, layer, kind, name):
    "Peak memory of one call, in a fresh process: MiB above what the weights and the input already use."
    model, x = make_model(arch, device), make_input(arch, batch, device)
    t = torch.zeros(batch, dtype=torch.long, device=device)   # the class does not change how much memory is used
    fn = methods_for(kind)[name]
    gc.collect()
    if device.startswith('cuda'):
        torch.cuda.synchronize(); torch.cuda.reset_peak_memory_stats(); base = torch.cuda.memory_allocated()
        fn(model, x, t, layer); torch.cuda.synchronize()
        return (torch.cuda.max_memory_allocated() - base) / 2**20
    import threading, psutil
    proc = psutil.Process(); base = proc.memory_info().rss; peak = [base]; done = threading.Event()
    def sample():                                   # resident memory sampled every 5 ms while the call runs (finer sampling starved the call itself)
        while not done.is_set(): peak[0] = max(peak[0], proc.memory_info().rss); time.sleep(0.005)
    th = threading.Thread(target=sample); th.start()
    try: fn(model, x, t, layer)
    finally: done.set(); th.join()
    return (max(peak[0], proc.memory_info().rss) - base) / 2**20


def peak_memory(args, arch, batch, layer, kind, names, why):
    "Peak MiB per method, each in a child process; nan where the child failed (its last error line goes into `why`)."
    out = {}
    for n in names:
        r = subprocess.run([sys.executable, __file__, '--child', json.dumps([arch, batch, args.device, layer, kind, n]),
                            '--threads', str(args.threads)], capture_output=True, text=True)
        try: out[n] = float(r.stdout.strip().splitlines()[-1]) if r.returncode == 0 else float('nan')
        except (IndexError, ValueError): out[n] = float('nan')
        if out[n] != out[n]:
            last = (r.stderr.strip().splitlines() or ['no output'])[-1]
            why.append(f'{arch} batch {batch} {layer} {n}: the child process failed (exit {r.returncode}): {last}')
    return out


# ---- agreement with the other libraries -------------------------------------------------------------------------
def minmax(m):
    lo, hi = m.amin((-2, -1), keepdim=True), m.amax((-2, -1), keepdim=True)
    return (m - lo) / (hi - lo).clamp(min=1e-12)


def agreement(model, x, t, layer):
    "Max |difference| between camteach's maps and the other libraries', after the same normalisation."
    import camteach, numpy as np
    from camteach.cam import upsample
    for p in model.parameters(): p.grad = None
    ex = camteach.explain(model, x, layer, methods=('gradcam', 'layercam'), target=t)
    no_param_grads = all(p.grad is None for p in model.parameters())
    res = {'camteach leaves every parameter .grad as None': no_param_grads}
    for meth, ours in (('GradCAM', ex.raw['gradcam']), ('LayerCAM', ex.raw['layercam'])):
        if (ours.flatten(1).amax(1) <= 0).any(): res[f'{meth}: a map is all zero (cannot compare)'] = False; continue
        low = minmax(ours.float().cpu())
        theirs_tc = minmax(tc(meth)(model, x, t, layer).float().cpu())
        res[f'{meth} vs torchcam (max |diff|, low-res, min-max)'] = float((low - theirs_tc).abs().max())
        ours_up = minmax(upsample(low, 224))          # pytorch-grad-cam: min-max, resize (cv2, half-pixel), min-max again
        theirs_pgc = torch.from_numpy(np.asarray(pgc(meth)(model, x, t, layer))).float()
        res[f'{meth} vs pytorch-grad-cam (max |diff|, 224x224)'] = float((ours_up - theirs_pgc).abs().max())
        model.zero_grad(set_to_none=True)
    return res


# ---- issue 12: the methods of lessons 8a and 8b, as ratios ------------------------------------------------------
def ctx(methods):
    "camteach.explain with methods that may not apply at this layer skipped (CAM before the last layer)."
    def f(model, x, t, layer):
        import camteach
        return camteach.explain(model, x, layer, methods=methods, target=t, strict=False, warn=False)
    return f


def photo_input(name, device):
    from camteach.photos import photo, preprocess
    return preprocess(photo(name)).to(device)


def verdict(value, target, higher=False):
    ok = value >= target if higher else value <= target
    return f"{'meets' if ok else 'MISSES'} target {'>=' if higher else '<='} {target}"


def child_perturb_memory(arch, device, name, layer, kw):
    "Peak memory of one perturbation call on one image, in a fresh process: MiB above the weights and the input."
    import threading
    model = make_model(arch, device)
    x = photo_input('chelsea', device) if arch in PHOTO_NETS else make_input(arch, 1, device)
    from camteach import perturb
    with torch.no_grad(): t = model(x).argmax(1)
    fns = {'occlusion': lambda: perturb.occlusion(model, x, t, **kw), 'rise': lambda: perturb.rise(model, x, t, **kw),
           'scorecam': lambda: perturb.scorecam(model, x, layer, t, **kw),
           'pytorch-grad-cam ScoreCAM': lambda: perturb.library_scorecam(model, x, layer, t, 'pytorch-grad-cam', **kw)}
    gc.collect()
    if device.startswith('cuda'):
        torch.cuda.synchronize(); torch.cuda.reset_peak_memory_stats(); base = torch.cuda.memory_allocated()
        fns[name](); torch.cuda.synchronize()
        return (torch.cuda.max_memory_allocated() - base) / 2**20
    import psutil
    proc = psutil.Process(); base = proc.memory_info().rss; peak = [base]; done = threading.Event()
    def sample():
        while not done.is_set(): peak[0] = max(peak[0], proc.memory_info().rss); time.sleep(0.005)
    th = threading.Thread(target=sample); th.start()
    try: fns[name]()
    finally: done.set(); th.join()
    return (max(peak[0], proc.memory_info().rss) - base) / 2**20


def perturb_memory(args, arch, name, layer, kw, why):
    r = subprocess.run([sys.executable, __file__, '--child-perturb', json.dumps([arch, args.device, name, layer, kw]),
                        '--threads', str(args.threads)], capture_output=True, text=True)
    try: return float(r.stdout.strip().splitlines()[-1]) if r.returncode == 0 else float('nan')
    except (IndexError, ValueError): pass
    why.append(f'{arch} {name} {kw}: the child process failed (exit {r.returncode}): {(r.stderr.strip().splitlines() or ["no output"])[-1]}')
    return float('nan')


def methods_section(a):
    "Lines of the issue-12 report, and whether a map comparison failed."
    from camteach.core import METHODS
    from camteach.perturb import PERTURBATION_METHODS, speed_ratio, scorecam_speed
    from camteach.gradvariants import augmented_cost
    q = a.quick
    reps, warm, bs = (1, 1, 64) if q else (a.repeats, a.warmup, 64)
    grad = [m for m in METHODS if m not in PERTURBATION_METHODS]
    nets = list(COURSE_NETS) + ([a.photo_model] if a.photo_model != 'none' else [])
    L, fail, why, speedups = [], False, [], []
    L.append(f"\n# issue 12: lessons 8a/8b's methods ({'--quick: tiny settings, one repeat; NOT numbers to quote' if q else f'median of {reps} (at least 41 on the course network and 15 on the photo network in (a)) after {warm} warm-up; best of {reps} for (b) (at least 9 on the course network), method and floor in turn; median of {max(reps, 9)} rounds for (d); best of {a.scorecam_repeats} for (c) at bn2 on the photo network and of {max(reps, 3)} elsewhere, ours and the library in turn'}), "
             f"device {a.device}, {torch.get_num_threads()} threads")
    for arch in nets:
        model = make_model(arch, a.device)
        photo = arch in PHOTO_NETS
        layers = ('bn2', 'blocks.4') if photo else COURSE_NETS[arch]
        # (a) every gradient method from one explain call
        x = photo_input('chelsea', a.device) if photo else make_input(arch, 8, a.device)
        with torch.no_grad(): t = model(x).argmax(1)
        for layer in layers[:1] if q and photo else layers:
            fns = {'floor: forward + autograd.grad': floor_grad, 'explain(gradcam)': ctx(('gradcam',)),
                   'explain(gradcam, gradcam++, xgradcam)': ctx(('gradcam', 'gradcam++', 'xgradcam')),
                   f'explain({len(grad) - 2} gradient methods, no CFCAM)': ctx(tuple(m for m in grad if not m.startswith('cfcam'))),
                   f'explain(all {len(grad)} gradient methods)': ctx(tuple(grad))}
            med, per = time_round_robin(fns, model, x, t, layer, a.device, reps if q else max(reps, 15) if photo else max(reps, 41), warm, raw=True)   # tens of ms: more rounds
            fl, fk = med['floor: forward + autograd.grad'], 'floor: forward + autograd.grad'
            paired = {k: statistics.median(u / f for u, f in zip(v, per[fk])) for k, v in per.items()}   # each round's time over the same round's floor
            L.append(f"\n## (a) {arch}, batch {len(x)}, layer {layer}: explain vs floor = forward + autograd.grad ({fl:.1f} ms); gradient methods: {', '.join(grad)}")
            L.append(f"{'':52s} {'median':>9s}     {'ratio':>5s}   (ratio = median over {len(per[fk])} rounds of the time over the floor of the same round; in brackets: median over floor median)")
            for k, v in med.items():
                r = paired[k]
                L.append(f"{k:52s} {v:9.1f} ms  ratio {r:5.2f} ({v / fl:4.2f})" + (f"   {verdict(r, 1.15)}" if k.startswith('explain(') and 'all' not in k
                         else '   (CFCAM clusters the channels: no target)' if k.startswith('explain(all') else ''))
        # (b) perturbation methods vs the forward passes they need
        x1 = x[:1]; t1 = t[:1]
        if photo:
            cases = [('occlusion', dict(patch=32, stride=16, baseline=0.)), ('rise', dict(n_masks=64 if q else 500, cell=32)), ('scorecam', dict(layer='bn2'))]
        else:
            cases = [('occlusion', dict(patch=8, stride=4)), ('rise', dict(n_masks=64 if q else 2000)), ('scorecam', dict(layer=layers[0])), ('scorecam', dict(layer=layers[1]))]
        if q and photo: cases = cases[:1] if not a.quick_photo else cases
        L.append(f"\n## (b) {arch}, one image: perturbation method vs the same number of batched no-grad forward passes (batch_size {bs})")
        for name, kw in cases:
            r = speed_ratio(name, model, x1, target=t1, batch_size=bs, repeats=reps if q or photo else max(reps, 9), **kw)
            L.append(f"{name:9s} {str(kw):42s} {r['n_forwards']:5d} forwards  {r['seconds']:8.3f} s  floor {r['floor']:8.3f} s  ratio {r['ratio']:5.2f}   {verdict(r['ratio'], 1.1)}")
        if not a.no_memory:
            if photo: mcases = [('rise', None, dict(n_masks=n, cell=32, batch_size=b)) for b in (16, 64) for n in (128, 512)] + \
                               [('scorecam', 'bn2', dict(batch_size=b)) for b in (16, 64)] + [('pytorch-grad-cam ScoreCAM', 'bn2', dict(batch_size=64))]
            else: mcases = [('rise', None, dict(n_masks=n, batch_size=b)) for b in (16, 64) for n in (256, 1024)] + \
                           [('occlusion', None, dict(patch=4, stride=2, batch_size=b)) for b in (16, 64)]
            if q: mcases = [c for c in mcases if c[2].get('batch_size') == 16][:3]
            L.append(f"\n## (b) {arch}, one image: peak memory (MiB above weights and input, a fresh process per call; it should follow batch_size, not the number of masks)")
            for name, layer, kw in mcases:
                L.append(f"{name:26s} {layer or '':9s} {str(kw):48s} peak {perturb_memory(a, arch, name, layer, kw, why):8.1f} MiB")
        # (c) Score-CAM vs pytorch-grad-cam
        L.append(f"\n## (c) {arch}: Score-CAM (course) vs pytorch-grad-cam's ScoreCAM, same output (softmax weighting, align_corners=True masks), batch_size {bs}")
        if photo: sc = [('chelsea', 'blocks.4')] if q else [(ph, 'bn2') for ph in ('chelsea', 'coffee', 'camera')] + [('chelsea', 'blocks.4')]
        else: sc = [(None, l) for l in layers]
        for ph, layer in sc:
            xi = photo_input(ph, a.device) if ph else x1
            r = scorecam_speed(model, xi, layer, batch_size=bs, repeats=1 if q else (a.scorecam_repeats if photo and layer == 'bn2' else max(reps, 3)))
            speedups.append((f'{arch} {ph or ""} {layer}', r['speedup']))
            ok = r['max_diff'] <= 1e-3; fail |= not ok
            L.append(f"{(ph or 'test image 0'):12s} {layer:10s} ours {r['ours_s']:8.3f} s ({r['ours_forwards']:4d} forwards)  library {r['library_s']:8.3f} s ({r['library_forwards']:4d})  "
                     f"speed-up {r['speedup']:5.2f}  constant channels {r['constant_share']:.0%}  max |map diff| {r['max_diff']:.1e} {'PASS' if ok else 'FAIL'} (<= 1e-3)"
                     + (f"   {verdict(r['speedup'], 1.5, True)}" if photo and layer == 'bn2' else ''))
        # (d) Augmented Grad-CAM vs N single Grad-CAMs
        L.append(f"\n## (d) {arch}, one image: Augmented Grad-CAM with N warps (one batched capture + fusion) vs N single Grad-CAMs")
        dcases = ([('bn2', 4)] if q else [('bn2', 8), ('bn2', 16)]) if photo else [(l, n) for l in layers for n in ((4,) if q else (8, 16))]
        for layer, n in dcases:
            r = augmented_cost(model, x1, layer, n=n, repeats=reps if q else max(reps, 9))
            L.append(f"{layer:10s} N={n:3d}  augmented {r['augmented_s']:8.3f} s  {n} single {r['n_single_s']:8.3f} s  ratio {r['ratio']:5.2f}   {verdict(r['ratio'], 1.2)}"
                     f"   (first call, warp matrix built: {r['augmented_cold_s']:.3f} s, ratio {r['ratio_cold']:.2f})")
    if speedups:
        worst = min(speedups, key=lambda s: s[1])
        L.append(f"\n# (c) slowest Score-CAM speed-up in this run: {worst[1]:.2f} ({worst[0].strip()}): {verdict(worst[1], 1.0, True)} (never slower than pytorch-grad-cam)")
    if why: L.append('\n# why some peak MiB are nan:'); L += [f'#   {w}' for w in why]
    return L, fail


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--arch', default='resnet50', help='torchvision network with random weights (default: resnet50)')
    ap.add_argument('--photo-model', default='efficientnet-lite0', help="trained network from camteach.photos, timed after --arch ('none' to skip)")
    ap.add_argument('--batches', type=int, nargs='+', default=[1, 8])
    ap.add_argument('--repeats', type=int, default=7)
    ap.add_argument('--warmup', type=int, default=2)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    ap.add_argument('--no-memory', action='store_true', help='skip the peak-memory children')
    ap.add_argument('--quick', action='store_true', help='smoke run: resnet18, batch 1, 2 repeats, 1 warm-up, no memory')
    ap.add_argument('--out', default=None, help='also write the report to this file')
    ap.add_argument('--section', default='all', choices=('all', 'libraries', 'methods'),
                    help="'libraries': camteach vs pytorch-grad-cam and torchcam; 'methods': the ratios of lessons 8a/8b's methods (issue 12); 'all': both")
    ap.add_argument('--scorecam-repeats', type=int, default=1,
                    help="(c), photo network: best of this many calls of each Score-CAM (pytorch-grad-cam's takes over a minute on its 1280 channels); the course networks use --repeats")
    ap.add_argument('--only', default=None, help="libraries section: time only the rows whose name matches this regular expression (the floors always run)")
    ap.add_argument('--quick-photo', action='store_true', help='with --quick: also every perturbation row on the photo network')
    ap.add_argument('--child', default=None, help=argparse.SUPPRESS)
    ap.add_argument('--child-perturb', default=None, help=argparse.SUPPRESS)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    if a.child:
        print(child_memory(*json.loads(a.child))); return
    if a.child_perturb:
        print(child_perturb_memory(*json.loads(a.child_perturb))); return
    if a.quick: a.arch, a.batches, a.repeats, a.warmup = 'resnet18', [1], 2, 1
    if a.quick and a.section != 'methods': a.no_memory = True
    archs = [a.arch] + ([a.photo_model] if a.photo_model != 'none' else [])
    for arch in archs:
        if arch not in LAYERS: ap.error(f"no layers known for {arch!r}; choose from {', '.join(LAYERS)}")
    dev = torch.cuda.get_device_name() if a.device.startswith('cuda') else (platform.processor() or platform.machine())
    shown = archs if a.section != 'methods' else list(COURSE_NETS) + archs[1:]
    lines = [f'# camteach benchmark ({a.section}): {", ".join(f"{n} ({weights_note(n)})" for n in shown)}, device {a.device} ({dev}), torch {torch.__version__}, '
             f'{torch.get_num_threads()} threads, median of {a.repeats} round-robin repeats after {a.warmup} warm-up',
             '# peak MiB: one call in a fresh process, memory above the weights and the input (CPU: resident memory sampled every 5 ms; CUDA: max_memory_allocated)']
    if a.no_memory:
        lines.append('# peak MiB is nan in this report: memory was not measured (' + ('--quick skips' if a.quick else '--no-memory skips') +
                     ' the child processes that measure it; run without --quick and --no-memory to measure it)')
    why_nan = []
    import camteach, pytorch_grad_cam, torchcam
    lines.append(f'# camteach {camteach.__version__}, pytorch-grad-cam {importlib.metadata.version("grad-cam")}, torchcam {torchcam.__version__}')
    fail_methods = False
    if a.section in ('all', 'libraries'):
        for arch in archs:
            layers = LAYERS[arch]
            for B in a.batches:
                model, x, t = build(arch, B, a.device)
                for kind, layer in layers.items():
                    fns = methods_for(kind)
                    if a.only: fns = {k: f for k, f in fns.items() if k.startswith('floor') or re.search(a.only, k)}
                    med = time_round_robin(fns, model, x, t, layer, a.device, a.repeats, a.warmup)
                    mem = {} if a.no_memory else peak_memory(a, arch, B, layer, kind, list(fns), why_nan)
                    floor = med['floor: forward + autograd.grad']
                    lines.append(f'\n## {arch} ({weights_note(arch)}), batch {B}, layer {layer}   (ratio = time / floor; floor = forward + autograd.grad = {floor:.1f} ms)')
                    lines.append(f"{'method':52s} {'ms':>9s} {'ratio':>7s} {'peak MiB':>9s}")
                    for k in fns:
                        lines.append(f"{k:52s} {med[k]:9.1f} {med[k]/floor:7.2f} {mem.get(k, float('nan')):9.0f}")
                if B == a.batches[-1]:
                    lines.append(f'\n## agreement, {arch}, batch {B}, layer {layers["last"]} (pass: max |diff| <= 1e-4)')
                    for k, v in agreement(model, x, t, layers['last']).items():
                        ok = v is True or (isinstance(v, float) and not isinstance(v, bool) and v <= 1e-4)
                        lines.append(f"{'PASS' if ok else 'FAIL'}  {k}: {v if isinstance(v, bool) else f'{v:.2e}'}")
    if a.section in ('all', 'methods'):
        ml, fail_methods = methods_section(a); lines += ml
    if why_nan:
        lines.append('\n# why some peak MiB are nan:'); lines += [f'#   {w}' for w in why_nan]
    report = '\n'.join(lines)
    print(report)
    if a.out:
        with open(a.out, 'w') as f: f.write(report + '\n')
    if 'FAIL' in report or fail_methods: sys.exit(1)


if __name__ == '__main__':
    main()
