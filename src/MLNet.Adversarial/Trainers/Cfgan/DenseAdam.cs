using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Adversarial.Trainers;

/// <summary>
/// Adam (β = 0.9, 0.999, ε = 1e-8) with L2 regularisation (λ·w added to the gradient, the gradient of λ·‖w‖²/2)
/// over whole parameter tensors. On the CPU it is one fused SIMD pass per tensor (<see cref="AdamKernel"/>, shared
/// with the factorisation trainers' row-sparse optimiser); elsewhere it uses tensor ops with Scalars that are
/// created once and held (TorchSharp's own optimisers create temporary Scalars on every step, which the GC can
/// finalise while libtorch still reads them).
/// </summary>
internal sealed class DenseAdam : IDisposable
{
    private readonly Tensor[] _parameters;
    private readonly Tensor[] _first;
    private readonly Tensor[] _second;
    private readonly double _learningRate;
    private readonly float _weightDecay;
    private readonly Scalar _beta1 = AdamKernel.Beta1.ToScalar(), _oneMinusBeta1 = (1 - AdamKernel.Beta1).ToScalar();
    private readonly Scalar _beta2 = AdamKernel.Beta2.ToScalar(), _oneMinusBeta2 = (1 - AdamKernel.Beta2).ToScalar();
    private readonly Scalar _epsilon = AdamKernel.Epsilon.ToScalar();
    private readonly Scalar _weightDecayScalar;
    private long _step;

    public DenseAdam(IEnumerable<Tensor> parameters, double learningRate, double weightDecay)
    {
        _parameters = parameters.ToArray();
        _first = _parameters.Select(p => torch.zeros_like(p)).ToArray();
        _second = _parameters.Select(p => torch.zeros_like(p)).ToArray();
        _learningRate = learningRate;
        _weightDecay = (float)weightDecay;
        _weightDecayScalar = weightDecay.ToScalar();
    }

    /// <summary>Clears the gradients.</summary>
    public void ZeroGrad()
    {
        foreach (var p in _parameters) p.grad?.zero_();
    }

    /// <summary>Applies one update from the current gradients.</summary>
    public void Step()
    {
        _step++;
        double stepSize = AdamKernel.StepSize(_learningRate, _step);
        using var noGrad = torch.no_grad();
        for (int k = 0; k < _parameters.Length; k++)
        {
            var p = _parameters[k];
            if (p.grad is not { } grad) continue;
            if (p.device_type == DeviceType.CPU) StepOnCpu(p, grad, _first[k], _second[k], (float)stepSize);
            else StepWithTensorOps(p, grad, _first[k], _second[k], stepSize);
        }
    }

    private void StepOnCpu(Tensor p, Tensor grad, Tensor m, Tensor v, float stepSize)
    {
        var w = MemoryMarshal.Cast<byte, float>(p.bytes);
        var g = MemoryMarshal.Cast<byte, float>(grad.bytes);
        if (_weightDecay > 0) TensorPrimitives.MultiplyAdd(w, _weightDecay, g, g);
        AdamKernel.Row(w, MemoryMarshal.Cast<byte, float>(m.bytes), MemoryMarshal.Cast<byte, float>(v.bytes), g, stepSize);
    }

    private void StepWithTensorOps(Tensor p, Tensor grad, Tensor m, Tensor v, double stepSize)
    {
        using var scope = torch.NewDisposeScope();
        if (_weightDecay > 0) grad.add_(p, alpha: _weightDecayScalar);
        m.mul_(_beta1).add_(grad, alpha: _oneMinusBeta1);
        v.mul_(_beta2).addcmul_(grad, grad, value: _oneMinusBeta2);
        using var step = (-stepSize).ToScalar();
        p.addcdiv_(m, v.sqrt().add_(_epsilon), value: step);
    }

    /// <summary>Writes the moments and the step count (the parameters belong to their module's state).</summary>
    public void WriteState(BinaryWriter writer)
    {
        writer.Write(_step);
        TensorState.WriteTensors(writer, [.. _first, .. _second]);
    }

    public void ReadState(BinaryReader reader)
    {
        _step = reader.ReadInt64();
        TensorState.ReadTensors(reader, [.. _first, .. _second]);
    }

    public void Dispose()
    {
        foreach (var t in _first.Concat(_second)) t.Dispose();
        foreach (var s in new[] { _beta1, _oneMinusBeta1, _beta2, _oneMinusBeta2, _epsilon, _weightDecayScalar }) s.Dispose();
    }
}
