using System.Numerics;
using System.Runtime.InteropServices;
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
    private const double AdagradEpsilon = 1e-10, AdagradInitialAccumulator = 0.1;

    private readonly OptimizerKind _kind;
    private readonly double _learningRate;
    private readonly Tensor _step;

    // Scalars are created once and held: a temporary Scalar from an implicit conversion can be finalised by the GC
    // while libtorch still reads it (seen as "INTERNAL ASSERT FAILED at c10/core/Scalar.h" in long runs).
    private readonly Scalar _beta1 = AdamKernel.Beta1.ToScalar(), _oneMinusBeta1 = (1 - AdamKernel.Beta1).ToScalar();
    private readonly Scalar _beta2 = AdamKernel.Beta2.ToScalar(), _oneMinusBeta2 = (1 - AdamKernel.Beta2).ToScalar();
    private readonly Scalar _adamEpsilon = AdamKernel.Epsilon.ToScalar(), _adagradEpsilon = AdagradEpsilon.ToScalar(), _one = 1.0.ToScalar();
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
    /// <remarks>
    /// Written through the counter's memory (it stays on the CPU): <c>Tensor.add_(Scalar)</c> passes a temporary alpha
    /// Scalar, which the GC finalised mid-call when other threads allocated heavily ("alpha must not be a floating point
    /// number" from libtorch).
    /// </remarks>
    public void BeginStep() => MemoryMarshal.Cast<byte, long>(_step.bytes)[0]++;

    /// <summary>
    /// Applies the update to the distinct <paramref name="rows"/> of <paramref name="table"/>, whose summed gradient
    /// is <paramref name="grad"/> (one row per entry of <paramref name="rows"/>).
    /// </summary>
    public void Update(Tensor table, Tensor first, Tensor second, Tensor rows, Tensor grad)
    {
        if (table.device_type == DeviceType.CPU) UpdateOnCpu(table, first, second, rows, grad);
        else UpdateWithTensorOps(table, first, second, rows, grad);
    }

    /// <summary>
    /// The CPU update, fused: one SIMD pass per touched row over the weights and the optimiser state, in place.
    /// A dozen whole-batch tensor ops read and wrote every touched row a dozen times, which dominated the step on
    /// large catalogues.
    /// </summary>
    private void UpdateOnCpu(Tensor table, Tensor first, Tensor second, Tensor rows, Tensor grad)
    {
        var weights = MemoryMarshal.Cast<byte, float>(table.bytes);
        var state1 = MemoryMarshal.Cast<byte, float>(first.bytes);
        var gradients = MemoryMarshal.Cast<byte, float>(grad.contiguous().bytes);
        var indices = MemoryMarshal.Cast<byte, long>(rows.bytes);
        int width = (int)(table.numel() / table.shape[0]);
        if (_kind == OptimizerKind.Adam)
        {
            var state2 = MemoryMarshal.Cast<byte, float>(second.bytes);
            long t = MemoryMarshal.Cast<byte, long>(_step.bytes)[0];
            float stepSize = (float)AdamKernel.StepSize(_learningRate, t);
            for (int r = 0; r < indices.Length; r++)
            {
                int offset = checked((int)indices[r] * width);
                AdamKernel.Row(weights.Slice(offset, width), state1.Slice(offset, width), state2.Slice(offset, width), gradients.Slice(r * width, width), stepSize);
            }
        }
        else
        {
            for (int r = 0; r < indices.Length; r++)
            {
                int offset = checked((int)indices[r] * width);
                AdagradRow(weights.Slice(offset, width), state1.Slice(offset, width), gradients.Slice(r * width, width), (float)_learningRate);
            }
        }
    }

    private static void AdagradRow(Span<float> w, Span<float> acc, ReadOnlySpan<float> g, float learningRate)
    {
        int k = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var eps = new Vector<float>((float)AdagradEpsilon); var lr = new Vector<float>(learningRate);
            for (; k <= w.Length - Vector<float>.Count; k += Vector<float>.Count)
            {
                var gk = new Vector<float>(g[k..]);
                var ak = new Vector<float>(acc[k..]) + gk * gk;
                ak.CopyTo(acc[k..]);
                (new Vector<float>(w[k..]) - lr * gk / (Vector.SquareRoot(ak) + eps)).CopyTo(w[k..]);
            }
        }
        for (; k < w.Length; k++)
        {
            acc[k] += g[k] * g[k];
            w[k] -= learningRate * g[k] / (MathF.Sqrt(acc[k]) + (float)AdagradEpsilon);
        }
    }

    /// <summary>The same update with tensor ops, for devices whose memory C# cannot touch (CUDA).</summary>
    private void UpdateWithTensorOps(Tensor table, Tensor first, Tensor second, Tensor rows, Tensor grad)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var values = table.index_select(0, rows);
        if (_kind == OptimizerKind.Adam)
        {
            long t = _step.item<long>();
            var m = first.index_select(0, rows).mul_(_beta1).add_(grad, alpha: _oneMinusBeta1);
            var v = second.index_select(0, rows).mul_(_beta2).addcmul_(grad, grad, value: _oneMinusBeta2);
            first.index_copy_(0, rows, m);
            second.index_copy_(0, rows, v);
            using var stepSize = (-AdamKernel.StepSize(_learningRate, t)).ToScalar();
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
