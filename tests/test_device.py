"""camteach follows the model's device: every computation runs where the model is and gives what it gives on the CPU.

CI has no GPU, so the checks run on the stand-in device of `standin.py`, which fails on the same mistakes a GPU
fails on (a CPU tensor mixed into device work, `.numpy()` on a device tensor, a CPU random generator). Where CUDA
is present the same checks also run on it, with a tolerance for its different kernels.
"""
import copy, math, warnings
from types import SimpleNamespace as Bag
from contextlib import nullcontext
import numpy as np, pytest, torch
import matplotlib; matplotlib.use('Agg')
import matplotlib.pyplot as plt
from standin import DEVICE, OnDevice, standin, to_standin, on

from camteach.core import explain
from camteach.hooks import capture, channel_view, show_channel, check_feature_shape, spatial_layers
from camteach.models import load_model, make_data, predict, accuracy
from camteach import cam as C, gradcam as GC, interp as I, layercam as L, hybrid as H, cfcam as CF, fast as F
from camteach import metrics as M, evaluate as E, data as D

KINDS = ['standin'] + (['cuda'] if torch.cuda.is_available() else [])

class Dev:
    "Where a test puts its model and tensors, and how closely results must match the CPU's."
    def __init__(self, kind):
        self.kind, self.type = kind, (DEVICE.type if kind == 'standin' else 'cuda')
        self.tol = 1e-6 if kind == 'standin' else 1e-4
    def model(self, m): return to_standin(copy.deepcopy(m)) if self.kind == 'standin' else copy.deepcopy(m).cuda()
    def put(self, t): return on(t) if self.kind == 'standin' else t.cuda()
    def ctx(self): return standin() if self.kind == 'standin' else nullcontext()

def host(t): return t.elem if isinstance(t, OnDevice) else t.detach().cpu()

def same(a, b, tol, where='result'):
    "Assert that `a` (computed on the device) equals `b` (computed on the CPU), recursively."
    if isinstance(a, torch.Tensor):
        a = host(a)
        assert a.shape == b.shape and a.dtype == b.dtype, f"{where}: {a.shape} {a.dtype} vs {b.shape} {b.dtype}"
        if a.dtype == torch.bool or not a.is_floating_point(): assert torch.equal(a, b), where
        else: assert torch.allclose(a, b, atol=tol, rtol=tol, equal_nan=True), f"{where}: max diff {(a - b).abs().nan_to_num().max()}"
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for k in a: same(a[k], b[k], tol, f"{where}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (u, v) in enumerate(zip(a, b)): same(u, v, tol, f"{where}[{i}]")
    elif isinstance(a, float): assert (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=tol, abs_tol=tol), f"{where}: {a} vs {b}"
    elif isinstance(a, np.ndarray): np.testing.assert_allclose(a, b, rtol=tol, atol=tol, err_msg=where)
    else: assert a == b, f"{where}: {a!r} vs {b!r}"

def tensors(o):
    if isinstance(o, torch.Tensor): yield o
    elif isinstance(o, dict): yield from (t for v in o.values() for t in tensors(v))
    elif isinstance(o, (list, tuple)): yield from (t for v in o for t in tensors(v))

@pytest.fixture(scope='module')
def setup():
    m = load_model('shapes-gap'); x, y, masks = make_data('shapes-gap', 3, 5)
    cap = capture(m, x, ['features.2', 'features.3'])
    return m, x, y, masks, cap

def test_standin_catches_device_mistakes():
    "The stand-in is only worth something if it fails where a GPU fails."
    t = on(torch.arange(6.))
    with standin():
        with pytest.raises(RuntimeError, match='same device'): t + torch.arange(6.)            # a factory call without device=
        with pytest.raises(TypeError, match='numpy'): t.numpy()
        with pytest.raises(TypeError, match='numpy'): np.asarray(t)
        with pytest.raises(RuntimeError, match='generator'): torch.randn(3, device=t.device, generator=torch.Generator())
        u = t + torch.arange(6., device=t.device) + torch.tensor(1.)                           # device= given; a 0-d CPU scalar is fine, as on CUDA
        assert isinstance(u, OnDevice) and u.device == DEVICE and torch.equal(u.cpu(), torch.arange(6.)*2 + 1)
        assert torch.as_tensor([1, 2], device=t.device).device == DEVICE and t.sum().item() == 15.

# (name, call, must the tensors it returns stay on the device?) on the device model `md`, images `xd`, labels `yd`,
# masks `kd`, and the captured activations and gradients at features.3 (`A`, `G`) and features.2 (`A2`, `G2`)
CASES = [
    ('capture', lambda d: capture(d.md, d.xd, 'features.3').acts, True),
    ('cam', lambda d: C.cam(d.A, C.gap_linear(d.md).weight, d.yd), True),
    ('cam_for', lambda d: C.cam_for(d.md, d.xd)[0], True),
    ('normalize_map', lambda d: C.normalize_map(d.A.sum(1)), True),
    ('upsample', lambda d: C.upsample(d.A.sum(1), 64), True),
    ('threshold_box', lambda d: C.threshold_box(C.upsample(d.A.sum(1), 64)[0]), True),
    ('localization_hits', lambda d: C.localization_hits(d.A.sum(1), d.kd), True),
    ('pointing_hits', lambda d: C.pointing_hits(d.A.sum(1), d.kd, tol=2), True),
    ('gradcam', lambda d: GC.gradcam(d.A, d.G), True),
    ('bilinear', lambda d: I.bilinear(d.G.sum(1), (64, 48)), True),
    ('bilinear_corners', lambda d: I.bilinear(d.G.sum(1), 20, align_corners=True), True),
    ('overlay', lambda d: I.overlay(d.xd[0], d.A.sum(1)[0]), True),
    ('layercam', lambda d: L.layercam(d.A, d.G), True),
    ('fuse_layers', lambda d: L.fuse_layers([L.layercam(d.A, d.G), L.layercam(d.A2, d.G2)], 64, [False, True]), True),
    ('energy_in_mask', lambda d: L.energy_in_mask(L.layercam(d.A, d.G), d.kd), True),
    ('hybrid', lambda d: H.hybrid(GC.gradcam(d.A, d.G), L.layercam(d.A, d.G), 0.3), True),
    ('alpha_sweep', lambda d: H.alpha_sweep(d.A, d.G, d.kd), True),
    ('guided_filter', lambda d: CF.guided_filter(d.A, d.G, 2, 0.1), True),
    ('cfcam', lambda d: CF.cfcam(d.A, d.G)[0], True),
    ('cfcam_spatial', lambda d: CF.cfcam(d.A, d.G, spatial=True)[0], True),
    ('cfcam_fast', lambda d: F.cfcam_fast(d.A, d.G)[0], True),
    ('cfcam_fast_keep', lambda d: F.cfcam_fast(d.A2, d.G2, noise='keep', spatial=True)[0], True),
    ('pair_percentile', lambda d: F.pair_percentile(F.batch_distances(d.A), 25.), True),
    ('kth_smallest', lambda d: F.kth_smallest(d.A.flatten(1), [0, 7, 100, 8191], sample=512), True),
    ('explain', lambda d: explain(d.md, d.xd, 'features.2', target=d.yd).maps, True),
    ('explain_report', lambda d: (lambda e: (e.empty, e.nonfinite))(explain(d.md, d.xd, 'features.3', ('cam', 'gradcam', 'hybrid', 'cfcam'), target=d.yd)), True),
    ('explain_inference_mode', lambda d: _in_inference(lambda: explain(d.md, d.xd, 'features.3', ('gradcam',), target=d.yd).maps), True),
    ('explain_variants', lambda d: explain(d.md, d.xd, 'features.3', ('gradcam++', 'xgradcam'), target=d.yd).maps, True),
    ('explain_perturbation', lambda d: explain(d.md, d.xd[:2], 'features.2', ('occlusion', 'scorecam', 'rise'), target=d.yd[:2],
                                               method_kw={'occlusion': dict(patch=32, stride=32), 'rise': dict(n_masks=8)}).maps, True),
    ('cam_head', lambda d: C.cam_head(d.md, d.A, capture(d.md, d.xd, 'features.3').logits, 'features.3').weight, True),
    ('spatial_layers', lambda d: spatial_layers(d.md, d.xd)[-3:], False),
    ('causal_curve', lambda d: M.causal_curve(d.md, d.xd[:1], GC.gradcam(d.A, d.G)[0], int(d.y[0]), 'insertion', 0.05), False),
    ('curve_aucs', lambda d: M.curve_aucs(d.md, d.xd[:1], GC.gradcam(d.A, d.G)[0], int(d.y[0]), 'seed003'), False),
    ('confidence_change', lambda d: M.confidence_change(d.md, d.xd, GC.gradcam(d.A, d.G), d.yd), True),
    ('mask_iou', lambda d: M.mask_iou(GC.gradcam(d.A, d.G), d.kd), True),
    ('rank_correlation', lambda d: M.rank_correlation(d.A.sum(1), d.G.sum(1)), True),
    ('sanity_check', lambda d: M.sanity_check(d.md, d.xd, 'features.3', ['gradcam', 'layercam'], ['head', 'features.3'], d.yd), True),
    ('evaluate_batch', lambda d: E.evaluate_batch(d.md, d.xd, d.yd, d.kd, 'features.3', protocols=('rise',)), True),
    ('predict', lambda d: predict(d.md, d.xd), False),
    ('accuracy', lambda d: accuracy(d.md, d.xd, d.yd), True),
    ('views', lambda d: [channel_view(d.md, d.xd[:1], 'features.3', 2), C.cam_box_view(d.md, d.xd[:1], d.kd[0]),
                         GC.gradcam_view(d.md, d.xd[:1], 'features.3', mask=d.kd[0]), I.pixel_view(d.A.sum(1)[0], 64, 3, 4),
                         L.layercam_view(d.md, d.xd[:1], ['features.2', 'features.3'], [True, False], mask=d.kd[0]),
                         H.hybrid_view(d.md, d.xd[:1], 'features.3', 0.5, mask=d.kd[0]),
                         CF.cfcam_view(d.md, d.xd[:1], 'features.3', mask=d.kd[0]),
                         M.curve_view(d.md, d.xd[:1], GC.gradcam(d.A, d.G)[0], int(d.y[0]))], False),
]

def _in_inference(f):
    with torch.inference_mode(): return f()

def _run(case, bag):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return case(bag)

@pytest.mark.parametrize('kind', KINDS)
def test_every_computation_follows_the_device(setup, kind):
    m, x, y, masks, cap = setup
    d = Dev(kind)
    cpu = Bag(md=m, xd=x, y=y, yd=y, kd=masks, A=cap.acts['features.3'], G=cap.grads['features.3'], A2=cap.acts['features.2'], G2=cap.grads['features.2'])
    with d.ctx():
        md = d.model(m)
        dc = capture(md, d.put(x), ['features.2', 'features.3'])
        dev = Bag(md=md, xd=d.put(x), y=y, yd=d.put(y), kd=d.put(masks), A=dc.acts['features.3'], G=dc.grads['features.3'], A2=dc.acts['features.2'], G2=dc.grads['features.2'])
        failed = []
        for name, fn, stays in CASES:
            torch.manual_seed(0); want = _run(fn, cpu)
            torch.manual_seed(0)
            try: got = _run(fn, dev)
            except Exception as e: failed.append(f"{name}: {type(e).__name__}: {e}"); continue
            if stays: assert all(t.device.type == d.type for t in tensors(got)), f"{name} returned a tensor off the device"
            same(got, want, d.tol, name)
        assert not failed, '\n'.join(failed)
        assert all(p.grad is None for p in md.parameters()), "a parameter's .grad was written"

@pytest.mark.parametrize('kind', KINDS)
def test_masks_and_labels_may_stay_on_the_cpu(setup, kind):
    "The common case: model and maps on the GPU, labels and masks straight from a CPU data set."
    m, x, y, masks, cap = setup
    d = Dev(kind)
    maps = GC.gradcam(*cap['features.3'])
    with d.ctx(), warnings.catch_warnings():
        warnings.simplefilter('ignore')
        md, xd, mapsd = d.model(m), d.put(x), d.put(maps)
        for f in (C.pointing_hits, C.localization_hits, L.energy_in_mask, M.mask_iou):
            got = f(mapsd, masks); assert got.device.type == d.type; same(got, f(maps, masks), d.tol, f.__name__)
        same(M.confidence_change(md, xd, mapsd, y), M.confidence_change(m, x, maps, y), d.tol, 'confidence_change')
        same(accuracy(md, xd, y), accuracy(m, x, y), d.tol, 'accuracy')
        same(explain(md, xd, 'features.3', target=y).maps, explain(m, x, 'features.3', target=y).maps, d.tol, 'explain')
        same(E.evaluate_batch(md, xd, y, masks, 'features.2', ('gradcam', 'cfcam'), ('rise',)),
             E.evaluate_batch(m, x, y, masks, 'features.2', ('gradcam', 'cfcam'), ('rise',)), d.tol, 'evaluate_batch')

@pytest.mark.parametrize('kind', KINDS)
def test_input_on_another_device_is_a_clear_error(setup, kind):
    m, x = setup[:2]
    d = Dev(kind)
    with d.ctx():
        with pytest.raises(ValueError, match=f"the input is on cpu but the model is on {d.type}"): capture(d.model(m), x, 'features.3')
        with pytest.raises(ValueError, match=f"the input is on {d.type}.* but the model is on cpu"): explain(m, d.put(x), 'features.3')

@pytest.mark.parametrize('kind', KINDS)
def test_bad_input_is_refused_on_the_device(setup, kind):
    "The checks before the forward pass run where the input is: NaN, dtype, channels, float targets, 1x1 layers."
    m, x = setup[:2]
    d = Dev(kind)
    with d.ctx():
        md, xd = d.model(m), d.put(x)
        bad = x.clone(); bad[0, 0, 0, 0] = float('nan')
        with pytest.raises(ValueError, match='NaN or inf'): explain(md, d.put(bad), 'features.3')
        with pytest.raises(TypeError, match='convert with x.float'): capture(md, d.put((x*255).to(torch.uint8)), 'features.3')
        with pytest.raises(ValueError, match='expects 3 channels'): capture(md, d.put(x[:, :1]), 'features.3')
        with pytest.raises(TypeError, match='target classes must be integers'): capture(md, xd, 'features.3', target=1.5)
        with pytest.raises(ValueError, match='no spatial extent'): capture(md, xd, 'head.0')
        with pytest.raises(ValueError, match='explain takes one layer'): explain(md, xd, ['features.2', 'features.3'])

@pytest.mark.parametrize('kind', KINDS)
def test_plots_take_device_tensors(setup, kind, monkeypatch):
    "Every show_* helper copies what it draws to the CPU."
    monkeypatch.setattr(plt, 'show', lambda *a, **k: None)
    m, x, y, masks, cap = setup
    d = Dev(kind)
    with d.ctx(), warnings.catch_warnings():
        warnings.simplefilter('ignore')
        md, xd, kd = d.model(m), d.put(x), d.put(masks)
        A, G = capture(md, xd, 'features.3')['features.3']
        D.show_images(xd, masks=kd); GC.show_maps(xd, GC.gradcam(A, G), masks=kd)
        assert check_feature_shape(md, 'features.3', 64, (1, 128, 8, 8))
        show_channel(md, xd[:1], 'features.3', 1); C.show_cam_box(md, xd[:1], kd[0]); GC.show_gradcam(md, xd[:1], 'features.3', mask=kd[0])
        I.show_pixel(A.sum(1)[0], 32, 3, 4); L.show_layercam(md, xd[:1], ['features.2', 'features.3'], [True, False], mask=masks[0])
        H.show_hybrid(md, xd[:1], 'features.3', 0.5, mask=kd[0]); CF.show_cfcam(md, xd[:1], 'features.3', 25., None, mask=masks[0])
        M.show_curve(md, xd[:1], GC.gradcam(A, G)[0], int(y[0]))
    n = len(plt.get_fignums()); plt.close('all')
    assert n >= 10, f"expected a figure per helper, got {n}"
