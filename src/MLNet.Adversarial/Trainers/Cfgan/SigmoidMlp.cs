using MLNet.Adversarial.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Adversarial.Trainers;

/// <summary>
/// A fully connected network with sigmoid hidden layers and a linear last layer (logits), initialised as in the
/// CFGAN authors' code: weights uniform in ±√(6 / (in + out)) (Glorot), biases uniform in ±0.01, drawn from a seeded
/// <see cref="Random"/> rather than torch's global generator so that runs are reproducible. CFGAN's generator and
/// discriminator are both such networks.
/// </summary>
internal sealed class SigmoidMlp : nn.Module
{
    private readonly Linear[] _layers;

    /// <param name="name">Module name.</param>
    /// <param name="inputs">Input width.</param>
    /// <param name="hidden">Width of each hidden layer, input side first.</param>
    /// <param name="outputs">Output width.</param>
    /// <param name="rng">Seeded initialisation.</param>
    /// <param name="device">Training device.</param>
    public SigmoidMlp(string name, int inputs, IReadOnlyList<int> hidden, int outputs, Random rng, Device device) : base(name)
    {
        var widths = new List<int> { inputs };
        widths.AddRange(hidden);
        widths.Add(outputs);
        _layers = new Linear[widths.Count - 1];
        for (int l = 0; l < _layers.Length; l++)
        {
            _layers[l] = Init(nn.Linear(widths[l], widths[l + 1]), widths[l], widths[l + 1], rng);
            register_module($"layer{l}", _layers[l]);
        }
        this.to(device);
    }

    /// <summary>The logits of <paramref name="x"/> [B, inputs]: sigmoid after every layer but the last.</summary>
    public Tensor Forward(Tensor x)
    {
        for (int l = 0; l < _layers.Length; l++)
        {
            x = _layers[l].forward(x);
            if (l < _layers.Length - 1) x = x.sigmoid();
        }
        return x;
    }

    /// <summary>Turns gradients of the weights on or off (off while the other player of a game takes its step).</summary>
    public void SetTrainable(bool trainable)
    {
        foreach (var p in parameters()) p.requires_grad = trainable;
    }

    /// <summary>
    /// Copies of each layer's weights ([out, in], row-major) and biases: the network's own, or
    /// <paramref name="values"/> given in the order of <c>parameters()</c> (weight, bias per layer), e.g. an average of them.
    /// </summary>
    public DenseLayer[] Export(IReadOnlyList<Tensor>? values = null)
    {
        using var scope = NewDisposeScope();
        var layers = new DenseLayer[_layers.Length];
        for (int l = 0; l < layers.Length; l++)
        {
            var weight = values?[2 * l] ?? _layers[l].weight!;
            var bias = values?[2 * l + 1] ?? _layers[l].bias!;
            layers[l] = new DenseLayer((int)weight.shape[1], (int)weight.shape[0],
                weight.detach().cpu().data<float>().ToArray(), bias.detach().cpu().data<float>().ToArray());
        }
        return layers;
    }

    private static Linear Init(Linear layer, int fanIn, int fanOut, Random rng)
    {
        double bound = Math.Sqrt(6.0 / (fanIn + fanOut));
        var w = new float[fanOut * fanIn];
        for (int k = 0; k < w.Length; k++) w[k] = (float)((rng.NextDouble() * 2 - 1) * bound);
        var b = new float[fanOut];
        for (int k = 0; k < b.Length; k++) b[k] = (float)((rng.NextDouble() * 2 - 1) * 0.01);
        using var noGrad = no_grad();
        layer.weight!.copy_(tensor(w, [fanOut, fanIn]));
        layer.bias!.copy_(tensor(b, [fanOut]));
        return layer;
    }
}
