namespace MLNet.Adversarial.Models;

/// <summary>One fully connected layer of a trained network: output = Weights · input + Bias.</summary>
/// <param name="Inputs">Input width.</param>
/// <param name="Outputs">Output width.</param>
/// <param name="Weights">Row-major [<paramref name="Outputs"/>, <paramref name="Inputs"/>]: row o holds the weights of output o (PyTorch's <c>Linear</c> layout).</param>
/// <param name="Bias">[<paramref name="Outputs"/>].</param>
public sealed record DenseLayer(int Inputs, int Outputs, float[] Weights, float[] Bias)
{
    /// <summary>Throws an <see cref="ArgumentException"/> unless the arrays match the widths.</summary>
    public void Validate(string name)
    {
        if (Inputs <= 0 || Outputs <= 0) throw new ArgumentException($"{name}: widths must be positive, got {Inputs}→{Outputs}.");
        if (Weights is null || Weights.Length != (long)Inputs * Outputs) throw new ArgumentException($"{name}: expected {Outputs}×{Inputs} weights, got {Weights?.Length ?? 0}.");
        if (Bias is null || Bias.Length != Outputs) throw new ArgumentException($"{name}: expected {Outputs} biases, got {Bias?.Length ?? 0}.");
    }
}
