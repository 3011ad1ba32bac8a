using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Adversarial.Trainers;

/// <summary>
/// An exponential moving average of a network's parameters, θ̄ ← d·θ̄ + (1 − d)·θ after each step: averaging the
/// generator's weights smooths the oscillation of a GAN's players around their equilibrium (Yazıcı et al., "The
/// Unusual Effectiveness of Averaging in GAN Training", ICLR 2019).
/// </summary>
internal sealed class ParameterAverage : IDisposable
{
    private readonly Tensor[] _parameters;
    private readonly Tensor[] _average;
    private readonly Scalar _decay, _weight; // held: see DenseAdam on temporary Scalars

    public ParameterAverage(IEnumerable<Tensor> parameters, double decay)
    {
        _parameters = parameters.ToArray();
        using var noGrad = torch.no_grad();
        _average = _parameters.Select(p => p.detach().clone()).ToArray();
        _decay = decay.ToScalar();
        _weight = (1 - decay).ToScalar();
    }

    /// <summary>The averaged parameters, in the order of the network's <c>parameters()</c>.</summary>
    public IReadOnlyList<Tensor> Values => _average;

    /// <summary>Moves the average towards the current parameters.</summary>
    public void Update()
    {
        using var noGrad = torch.no_grad();
        for (int k = 0; k < _parameters.Length; k++) _average[k].mul_(_decay).add_(_parameters[k], alpha: _weight);
    }

    public void WriteState(BinaryWriter writer) => TensorState.WriteTensors(writer, _average);

    public void ReadState(BinaryReader reader) => TensorState.ReadTensors(reader, _average);

    public void Dispose()
    {
        foreach (var t in _average) t.Dispose();
        _decay.Dispose();
        _weight.Dispose();
    }
}
