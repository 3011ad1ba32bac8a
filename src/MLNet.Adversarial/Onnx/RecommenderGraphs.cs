using System.Globalization;
using System.Reflection;
using Google.Protobuf;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;
using DataType = Onnx.TensorProto.Types.DataType;

namespace MLNet.Adversarial.Onnx;

/// <summary>
/// What every exporter of the two serving contracts shares, whatever the model behind them: the argument checks,
/// the training-item exclusion mask, the top-K tail of the graph, the metadata and the finished file.
/// </summary>
internal static class RecommenderGraphs
{
    /// <summary>Checks the model and the options every export takes.</summary>
    public static void Validate(IRecommenderModel model, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.ModelKind)) throw new ArgumentException("ModelKind is required.", nameof(options));
        if (model.Users.Count == 0 || model.Items.Count == 0) throw new ArgumentException("The model has no users or no items.", nameof(model));
        if (options.TrainingData is { } t && (!t.Users.Equals(model.Users) || !t.Items.Equals(model.Items)))
            throw new ArgumentException("TrainingData must use the model's user and item vocabularies.", nameof(options));
    }

    /// <summary>Checks the top-K options and returns K clamped to the catalogue size.</summary>
    public static int TopKSize(IRecommenderModel model, TopKExportOptions options, bool exclusionNeedsTrainingData = true)
    {
        if (options.K <= 0) throw new ArgumentOutOfRangeException(nameof(options), $"K must be positive, got {options.K}.");
        if (exclusionNeedsTrainingData && options.ExcludeTrainingItems && options.TrainingData is null)
            throw new ArgumentException("Excluding training items needs TrainingData.", nameof(options));
        return Math.Min(options.K, model.Items.Count);
    }

    /// <summary>Row-major [users + 1, items] flags of <paramref name="training"/>'s positives; the last (fallback) row is empty.</summary>
    /// <exception cref="InvalidOperationException">The mask would exceed <paramref name="maxCells"/>.</exception>
    public static bool[] ExclusionMask(InteractionData training, long maxCells)
    {
        long cells = (long)(training.Users.Count + 1) * training.Items.Count;
        if (cells > maxCells || cells > Array.MaxLength)
            throw new InvalidOperationException(
                $"Excluding training items needs a dense {training.Users.Count + 1}×{training.Items.Count} mask ({cells:N0} cells), " +
                $"over the limit of {maxCells:N0}. Export with ExcludeTrainingItems = false and filter seen items when serving, " +
                "or raise MaxExclusionMaskCells.");
        var mask = new bool[cells];
        for (int u = 0; u < training.Users.Count; u++)
            foreach (var i in training.ItemsOf(u)) mask[(long)u * training.Items.Count + i] = true;
        return mask;
    }

    /// <summary>
    /// The top-K tail: <c>TopK</c> over <paramref name="scores"/> [N, items] (ties by the lower item index), the raw ids
    /// of the winners from the initializer <c>item_id_table</c>, and the outputs <c>item_ids</c> and <c>scores</c> [N, K].
    /// </summary>
    public static void TopKOutputs(OnnxGraphBuilder g, IdVocabulary items, string scores, int k)
    {
        g.Initializer("k", [(long)k], 1);
        var top = g.Node("TopK", "", [scores, "k"], [OnnxContract.ScoresOutput, "top_index"],
            OnnxGraphBuilder.Attr("axis", -1), OnnxGraphBuilder.Attr("largest", 1), OnnxGraphBuilder.Attr("sorted", 1));
        ItemIdTable(g, items);
        g.Node("Gather", ["item_id_table", top[1]], OnnxContract.ItemIdsOutput);
        g.Output(OnnxContract.ItemIdsOutput, OnnxIdInputs.ElementType(items), [OnnxContract.BatchDimension, (long)k]);
        g.Output(OnnxContract.ScoresOutput, DataType.Float, [OnnxContract.BatchDimension, (long)k]);
    }

    /// <summary>The initializer <c>item_id_table</c>: the catalogue's raw ids in index order.</summary>
    public static string ItemIdTable(OnnxGraphBuilder g, IdVocabulary items)
    {
        if (g.HasInitializer("item_id_table")) return "item_id_table";
        return items.Kind == IdKind.Int64
            ? g.Initializer("item_id_table", items.Int64Ids, items.Count)
            : g.Initializer("item_id_table", items.StringIds, items.Count);
    }

    /// <summary>The metadata entries of a top-K graph.</summary>
    public static (string Key, string Value)[] TopKMetadata(int k, TopKExportOptions options) =>
        [(OnnxMetadataKeys.K, k.ToString(CultureInfo.InvariantCulture)),
         (OnnxMetadataKeys.ExcludeTrainingItems, OnnxContract.Flag(options.ExcludeTrainingItems))];

    /// <summary>
    /// Writes the metadata, <paramref name="contract"/> last: <c>metadata_props</c> is the final field of the file,
    /// so a file cut short at an entry boundary (which still parses) lacks the contract entry.
    /// </summary>
    public static void WriteMetadata(OnnxGraphBuilder g, IRecommenderModel model, int dimension, OnnxExportOptions options, string contract,
        params (string Key, string Value)[] extra)
    {
        g.Metadata(OnnxMetadataKeys.ModelKind, options.ModelKind);
        g.Metadata(OnnxMetadataKeys.UserCount, model.Users.Count.ToString(CultureInfo.InvariantCulture));
        g.Metadata(OnnxMetadataKeys.ItemCount, model.Items.Count.ToString(CultureInfo.InvariantCulture));
        g.Metadata(OnnxMetadataKeys.UserIdType, IdTypeName(options.UserIdMap?.Ids ?? model.Users));
        g.Metadata(OnnxMetadataKeys.ItemIdType, IdTypeName(options.ItemIdMap?.Ids ?? model.Items));
        g.Metadata(OnnxMetadataKeys.IdInputShape, options.IdInputShape == OnnxIdInputShape.Column ? OnnxContract.ColumnIdInputs : OnnxContract.AnyRankIdInputs);
        g.Metadata(OnnxMetadataKeys.Dimension, dimension.ToString(CultureInfo.InvariantCulture));
        if (options.TrainingData is { } t) g.Metadata(OnnxMetadataKeys.TrainingDataHash, t.ComputeHash());
        g.Metadata(OnnxMetadataKeys.LibraryVersion, LibraryVersion);
        foreach (var (key, value) in options.HyperParameters.OrderBy(e => e.Key, StringComparer.Ordinal))
            g.Metadata(OnnxMetadataKeys.HyperParameterPrefix + key, value);
        foreach (var (key, value) in extra) g.Metadata(key, value);
        g.Metadata(OnnxMetadataKeys.Contract, contract);
    }

    /// <summary>The serialised model.</summary>
    public static byte[] Finish(OnnxGraphBuilder g, string doc) => g.Build(OnnxContract.ProducerName, LibraryVersion, doc).ToByteArray();

    private static string IdTypeName(IdVocabulary v) => v.Kind == IdKind.Int64 ? OnnxContract.Int64IdType : OnnxContract.StringIdType;

    /// <summary>The informational version of this assembly (e.g. <c>0.1.0+commit</c>).</summary>
    public static string LibraryVersion { get; } =
        typeof(RecommenderGraphs).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(RecommenderGraphs).Assembly.GetName().Version?.ToString() ?? "unknown";
}
