namespace MLNet.Adversarial.Onnx;

/// <summary>Options of the top-K recommender export.</summary>
public sealed record TopKExportOptions : OnnxExportOptions
{
    /// <summary>The default limit of <see cref="MaxExclusionMaskCells"/>: 256M cells (256 MiB of bools).</summary>
    public const long DefaultMaxExclusionMaskCells = 256L << 20;

    /// <summary>How many items to return per user; clamped to the catalogue size.</summary>
    public required int K { get; init; }

    /// <summary>
    /// Whether items the user had in <see cref="OnnxExportOptions.TrainingData"/> are left out (scored -inf).
    /// When fewer than K items remain, the tail of a row holds -inf scores (and the ids of excluded items).
    /// </summary>
    public bool ExcludeTrainingItems { get; init; }

    /// <summary>
    /// The largest dense exclusion mask, in (users + 1) × items cells, the export will embed; a larger one is refused.
    /// </summary>
    public long MaxExclusionMaskCells { get; init; } = DefaultMaxExclusionMaskCells;
}
