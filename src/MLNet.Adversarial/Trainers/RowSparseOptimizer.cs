using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Adversarial.Trainers;

/// <summary>
/// Row-sparse ("lazy") Adam and Adagrad for embedding tables: only the rows a batch touched are read, updated
/// and written back, together with their optimiser state, so a step costs the same for a thousand users as for a
/// million. This is the update of TensorFlow's LazyAdam and PyTorch's SparseAdam; the state lives in buffers of
/// the owning module so that a module checkpoint includes it.
/// </summary>
internal sealed class RowSparseOptimizer
{
    private const double Beta1 = 0.9, Beta2 = 0.999, AdamEpsilon = 1e-8, AdagradEpsilon = 1e-10, AdagradInitialAccumulator = 0.1;

    private readonly OptimizerKind _kind;
    private readonly double _learningRate;
    private readonly Tensor _step;

    // Scalars are created once and held: a temporary Scalar from an implicit conversion can be finalised by the GC
    // while libtorch still reads it (seen as "INTERNAL ASSERT FAILED at c10/core/Scalar.h" in long runs).
    private readonly Scalar _beta1 = Beta1.ToScalar(), _oneMinusBeta1 = (1 - Beta1).ToScalar();
    private readonly Scalar _beta2 = Beta2.ToScalar(), _oneMinusBeta2 = (1 - Beta2).ToScalar();
    private readonly Scalar _adamEpsilon = AdamEpsilon.ToScalar(), _adagradEpsilon = AdagradEpsilon.ToScalar(), _one = 1.0.ToScalar(), _oneStep = 1L.ToScalar();
    private readonly Scalar _learningRateScalar;

    public RowSparseOptimizer(OptimizerKind kind, double learningRate, Tensor stepCounter)
    {
        _kind = kind;
        _learningRate = learningRate;
        _learningRateScalar = learningRate.ToScalar();
        _step = stepCounter;
    }

    /// <summary>Creates the state buffers for <paramref name="table"/>: Adam's two moments, or Adagrad's accumulator.</summary>
    public static (Tensor First, Tensor Second) CreateState(OptimizerKind kind, Tensor table) => kind == OptimizerKind.Adam
        ? (torch.zeros_like(table), torch.zeros_like(table))
        : (torch.full_like(table, AdagradInitialAccumulator), torch.zeros(1, device: table.device));

    /// <summary>Advances the step counter; call once per batch, before <see cref="Update"/>.</summary>
    public void BeginStep() => _step.add_(_oneStep);

    /// <summary>Applies the update for <paramref name="rows"/> (unique indices) of <paramref name="table"/>, whose gathered copy had gradient <paramref name="grad"/>.</summary>
    public void Update(Tensor table, Tensor first, Tensor second, Tensor rows, Tensor values, Tensor grad)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        if (_kind == OptimizerKind.Adam)
        {
            long t = _step.item<long>();
            var m = first.index_select(0, rows).mul_(_beta1).add_(grad, alpha: _oneMinusBeta1);
            var v = second.index_select(0, rows).mul_(_beta2).addcmul_(grad, grad, value: _oneMinusBeta2);
            first.index_copy_(0, rows, m);
            second.index_copy_(0, rows, v);
            using var stepSize = (-_learningRate * Math.Sqrt(1 - Math.Pow(Beta2, t)) / (1 - Math.Pow(Beta1, t))).ToScalar();
            table.index_copy_(0, rows, values.addcdiv(m, v.sqrt().add_(_adamEpsilon), value: stepSize));
        }
        else
        {
            var acc = first.index_select(0, rows).addcmul_(grad, grad, _one);
            first.index_copy_(0, rows, acc);
            using var step = (-_learningRate).ToScalar();
            table.index_copy_(0, rows, values.addcdiv(grad, acc.sqrt().add_(_adagradEpsilon), value: step));
        }
    }
}
