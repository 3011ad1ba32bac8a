namespace MLNet.Adversarial.Onnx;

/// <summary>Options of the top-K recommender export.</summary>
public sealed record TopKExportOptions : OnnxExportOptions
{
    /// <summary>How many items to return per user; clamped to the catalogue size.</summary>
    public required int K { get; init; }

    /// <summary>
    /// Whether items the user had in <see cref="OnnxExportOptions.TrainingData"/> are left out (scored -inf). The graph
    /// holds them sparsely (CSR: one int64 per user and per training positive), whatever the catalogue's size.
    /// When fewer than K items remain, the tail of a row holds -inf scores (and the ids of excluded items).
    /// </summary>
    public bool ExcludeTrainingItems { get; init; }
}
