using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Adversarial.Trainers;

/// <summary>
/// The trainable text part of one side (items or users) of the hybrid network: the centred text embeddings of the
/// rows (constant) and the projection W [text dimension, k] with its optimiser state. W is dense — every batch
/// touches all of it — so it is updated as a table whose rows are all touched, which is plain Adam (or Adagrad).
/// </summary>
internal sealed class TextProjectionLayer : IDisposable
{
    private readonly Tensor _text;
    private readonly Tensor _allRows;
    private Tensor? _leaf;

    /// <summary>Holds <paramref name="centredText"/> (row-major [rows, textDimension], already centred) on <paramref name="device"/> and a zero W.</summary>
    public TextProjectionLayer(float[] centredText, int textDimension, int dimension, OptimizerKind optimizer, Device device)
    {
        TextDimension = textDimension;
        _text = torch.tensor(centredText, [centredText.Length / textDimension, textDimension], device: device);
        // Zero: training starts from the id-only model and moves W only as far as the text helps the ranking.
        Weights = torch.zeros(textDimension, dimension, device: device);
        (First, Second) = RowSparseOptimizer.CreateState(optimizer, Weights);
        _allRows = torch.arange(textDimension, dtype: ScalarType.Int64, device: device);
    }

    public int TextDimension { get; }

    /// <summary>W, row-major [text dimension, k]; a buffer of the owning module, so checkpoints include it.</summary>
    public Tensor Weights { get; }

    /// <summary>The optimiser state of <see cref="Weights"/> (buffers of the owning module).</summary>
    public Tensor First { get; }

    /// <inheritdoc cref="First"/>
    public Tensor Second { get; }

    /// <summary>
    /// (t_r − c)·W for the rows <paramref name="rows"/>, [rows, k], differentiable with respect to W through a fresh
    /// leaf that shares W's storage; <see cref="Step"/> reads its gradient.
    /// </summary>
    public Tensor Project(Tensor rows)
    {
        _leaf = Weights.detach().requires_grad_();
        return _text.index_select(0, rows).matmul(_leaf);
    }

    /// <summary>The projection of <paramref name="rows"/> without gradients.</summary>
    public Tensor ProjectConstant(Tensor rows)
    {
        using var noGrad = torch.no_grad();
        return _text.index_select(0, rows).matmul(Weights);
    }

    /// <summary>Applies the optimiser to W with the gradient of the last <see cref="Project"/>, plus the L2 term 2λ·W.</summary>
    public void Step(RowSparseOptimizer optimizer, Scalar? l2Twice)
    {
        var grad = _leaf?.grad;
        if (grad is null) return; // the batch's loss did not reach this side
        if (l2Twice is not null)
        {
            using var noGrad = torch.no_grad();
            grad.add_(Weights, alpha: l2Twice);
        }
        optimizer.Update(Weights, First, Second, _allRows, grad);
        _leaf = null;
    }

    /// <summary>Overwrites W with <paramref name="weights"/> (row-major [text dimension, k]); the optimiser state is left as it is.</summary>
    public void LoadWeights(float[] weights)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        Weights.copy_(torch.tensor(weights, Weights.shape));
    }

    /// <summary>W as a row-major array.</summary>
    public float[] WeightsArray()
    {
        using var scope = torch.NewDisposeScope();
        return Weights.cpu().data<float>().ToArray();
    }

    public void Dispose()
    {
        _text.Dispose();
        _allRows.Dispose();
    }
}
