using MLNet.Adversarial.Data;

namespace MLNet.Adversarial.Onnx;

/// <summary>
/// What the caller tells the ONNX exporter about a model, written into the model's <c>metadata_props</c>
/// (see <see cref="OnnxMetadataKeys"/>) so a served file says what produced it.
/// </summary>
public record OnnxExportOptions
{
    /// <summary>The kind of model, e.g. <c>"bpr-mf"</c> or <c>"apr-mf"</c>.</summary>
    public required string ModelKind { get; init; }

    /// <summary>Training hyper-parameters (name → invariant text), written as <c>hparam.&lt;name&gt;</c> entries in ordinal key order.</summary>
    public IReadOnlyDictionary<string, string> HyperParameters { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The training positives, over the model's vocabularies. When set, their <see cref="InteractionData.ComputeHash"/>
    /// is recorded; the top-K export also needs them to exclude training items.
    /// </summary>
    public InteractionData? TrainingData { get; init; }

    /// <summary>
    /// How the id inputs are declared: <see cref="OnnxIdInputShape.Batch"/> (<c>[N]</c>, the default),
    /// <see cref="OnnxIdInputShape.Column"/> (<c>[N,1]</c>) for serving through ML.NET, or
    /// <see cref="OnnxIdInputShape.AnyRank"/> (no shape).
    /// </summary>
    public OnnxIdInputShape IdInputShape { get; init; } = OnnxIdInputShape.Batch;

    /// <summary>
    /// Optional: the user ids the graph accepts, mapped to model rows, instead of the model's user vocabulary
    /// (see <see cref="OnnxIdMap"/>). Ids outside it still get the model's fallback.
    /// </summary>
    public OnnxIdMap? UserIdMap { get; init; }

    /// <summary>Optional: the item ids the pairwise scorer accepts, mapped to model rows (see <see cref="UserIdMap"/>).</summary>
    public OnnxIdMap? ItemIdMap { get; init; }
}
