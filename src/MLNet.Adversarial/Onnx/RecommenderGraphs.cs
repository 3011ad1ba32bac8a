using System.Globalization;
using System.Reflection;
using Google.Protobuf;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;
using DataType = Onnx.TensorProto.Types.DataType;

namespace MLNet.Adversarial.Onnx;

/// <summary>
/// What every exporter of the two serving contracts shares, whatever the model behind them: the argument checks,
/// the sparse training-item exclusion, the top-K tail of the graph, the metadata and the finished file.
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

    /// <summary>
    /// Adds <paramref name="rows"/> as two int64 initializers in CSR form, <c>{name}_offsets</c> [users + 2] and
    /// <c>{name}_columns</c> [positives] (each user's item indices, ascending), and returns their names. Row
    /// <c>users</c>, the fallback row of an unknown id, is empty. A second call with the same name reuses the first's.
    /// </summary>
    public static SparseRows SparseRowsInitializers(OnnxGraphBuilder g, string name, InteractionData rows)
    {
        var csr = new SparseRows($"{name}_offsets", $"{name}_columns");
        if (g.HasInitializer(csr.Offsets)) return csr;
        var offsets = new long[rows.Users.Count + 2];
        for (int u = 0; u <= rows.Users.Count; u++) offsets[u] = rows.Offsets[u];
        offsets[^1] = offsets[^2];
        var columns = new long[rows.Count];
        for (int i = 0; i < columns.Length; i++) columns[i] = rows.ItemIndices[i];
        g.Initializer(csr.Offsets, offsets, offsets.Length);
        g.Initializer(csr.Columns, columns, columns.Length);
        return csr;
    }

    /// <summary>
    /// Writes the scalar <paramref name="value"/> into <paramref name="target"/> [N, columns] at [n, c] for every column
    /// c of CSR row <paramref name="rowIndex"/>[n], and returns the result's name (<paramref name="prefix"/>_out). The
    /// cost is O(N + the rows' entries): the rows' columns are gathered into one flat list (a <c>Range</c> over their
    /// total length, each position mapped to its batch row by a <c>CumSum</c> of row starts) and written with one
    /// <c>ScatterND</c>, so no dense users × items tensor exists, in the file or at run time.
    /// </summary>
    public static string ScatterRows(OnnxGraphBuilder g, SparseRows csr, string rowIndex, string target, string value, string prefix)
    {
        string Node(string op, string[] inputs, string name, params global::Onnx.AttributeProto[] attributes) =>
            g.Node(op, inputs, $"{prefix}_{name}", attributes);
        var zero = ScalarInt64(g, "csr_zero", 0);
        var one = ScalarInt64(g, "csr_one", 1);
        var axis0 = AxesInitializer(g, "csr_axes_0", 0);
        var axis1 = AxesInitializer(g, "csr_axes_1", 1);

        var start = Node("Gather", [csr.Offsets, rowIndex], "start");
        var end = Node("Gather", [csr.Offsets, Node("Add", [rowIndex, one], "next_row")], "end");
        var length = Node("Sub", [end, start], "length");
        var first = Node("Sub", [Node("CumSum", [length, zero], "cum_length"), length], "first"); // where row n's entries begin in the flat list
        var total = Node("ReduceSum", [length], "total", OnnxGraphBuilder.Attr("keepdims", 0));
        var position = Node("Range", [zero, total, one], "position");

        // The batch row of each flat position: mark where every non-empty row begins, count the marks up to the position.
        var nonEmpty = Node("Greater", [length, zero], "non_empty");
        var rowsWithEntries = Node("Compress", [Node("Range", [zero, Node("Size", [length], "rows"), one], "row"), nonEmpty], "rows_with_entries");
        var starts = Node("Compress", [first, nonEmpty], "starts");
        var marks = Node("ScatterElements", [Node("Expand", [zero, Node("Shape", [position], "flat_shape")], "no_marks"), starts,
            Node("Expand", [one, Node("Shape", [starts], "starts_shape")], "ones")], "marks");
        var batchRow = Node("Gather", [rowsWithEntries, Node("Sub", [Node("CumSum", [marks, zero], "marks_seen"), one], "which")], "batch_row");

        var entry = Node("Add", [position, Node("Gather", [Node("Sub", [start, first], "shift"), batchRow], "row_shift")], "entry");
        var column = Node("Gather", [csr.Columns, entry], "column");
        var indices = Node("Concat", [Node("Unsqueeze", [batchRow, axis1], "batch_row_column"), Node("Unsqueeze", [column, axis1], "column_column")],
            "indices", OnnxGraphBuilder.Attr("axis", 1));
        var updates = Node("Expand", [value, Node("Unsqueeze", [total, axis0], "total_shape")], "updates");
        return Node("ScatterND", [target, indices, updates], "out");
    }

    /// <summary>
    /// Scores the rows of <paramref name="training"/> (the users' training items) −∞ in <paramref name="scores"/>
    /// [N, items] for the users <paramref name="user"/> [N]; the fallback index (an unknown user) has no exclusions.
    /// Returns the name of the open scores.
    /// </summary>
    public static string ExcludeTrainingItems(OnnxGraphBuilder g, string scores, string user, SparseRows training)
    {
        if (!g.HasInitializer("minus_inf")) g.Initializer("minus_inf", [float.NegativeInfinity]);
        return ScatterRows(g, training, user, scores, "minus_inf", "excluded");
    }

    private static string ScalarInt64(OnnxGraphBuilder g, string name, long value) =>
        g.HasInitializer(name) ? name : g.Initializer(name, [value]);

    private static string AxesInitializer(OnnxGraphBuilder g, string name, long axis) =>
        g.HasInitializer(name) ? name : g.Initializer(name, [axis], 1);

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
        g.Metadata(OnnxMetadataKeys.IdInputShape, OnnxIdInputs.MetadataValue(options.IdInputShape));
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

