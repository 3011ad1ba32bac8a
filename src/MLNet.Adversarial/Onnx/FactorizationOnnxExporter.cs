using System.Globalization;
using System.Reflection;
using Google.Protobuf;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;
using DataType = Onnx.TensorProto.Types.DataType;

namespace MLNet.Adversarial.Onnx;

/// <summary>
/// Writes a <see cref="FactorizationModel"/> as a self-contained ONNX model (opset 17 plus <c>ai.onnx.ml</c> 3)
/// that takes raw ids, so serving needs no id mapping of its own. Raw ids are mapped to rows by an
/// <c>ai.onnx.ml.LabelEncoder</c> whose default is the vocabulary size, the index of an appended fallback row
/// (the model's mean vectors and mean bias): unknown ids are scored exactly like
/// <see cref="FactorizationModel.Score(int, int)"/> with index -1. The output is deterministic: the same model
/// and options give byte-identical files.
/// </summary>
/// <remarks>
/// Id inputs are flattened inside the graph and declared as <see cref="OnnxExportOptions.IdInputShape"/> says:
/// rank unspecified (ONNX Runtime accepts <c>[N]</c> and <c>[N,1]</c>) or <c>[N,1]</c> (ML.NET's
/// <c>ApplyOnnxModel</c>, which feeds a scalar column as <c>[1,1]</c>). The LabelEncoder is version 2
/// with <c>keys_int64s</c>/<c>keys_strings</c> → <c>values_int64s</c>, which ONNX Runtime implements for
/// int64 → int64 and string → int64.
/// </remarks>
public static class FactorizationOnnxExporter
{
    private const string BatchDim = OnnxContract.BatchDimension;

    /// <summary>
    /// The pairwise scorer: inputs <c>user</c> and <c>item</c> (raw ids, int64 or string as the vocabularies
    /// are, shape <c>[N]</c> or <c>[N,1]</c>; see <see cref="OnnxExportOptions.IdInputShape"/>), output float
    /// <c>score</c> <c>[N]</c> = p_u · q_i + b_i.
    /// Through ML.NET (<see cref="OnnxIdInputShape.Column"/>), <c>score</c> is a known-size vector of one float.
    /// </summary>
    public static byte[] ExportPairwiseScorer(FactorizationModel model, OnnxExportOptions options) => PairwiseScorer(model, null, options);

    /// <summary>
    /// The pairwise scorer of a hybrid model (same contract): the graph gathers each id's text embedding, subtracts
    /// the centre, projects it with <c>MatMul</c> by W and adds it to the id vector, so
    /// <c>score</c> = (p_u [+ V·(s_u − c_s)]) · (q_i + W·(t_i − c_t)) + b_i. Unknown ids get the fallback rows: the mean
    /// id vector plus the projection of the mean text embedding, i.e. the model's mean effective vector.
    /// </summary>
    public static byte[] ExportPairwiseScorer(HybridFactorizationModel model, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        return PairwiseScorer(model.IdFactors, model, options);
    }

    private static byte[] PairwiseScorer(FactorizationModel model, HybridFactorizationModel? hybrid, OnnxExportOptions options)
    {
        RecommenderGraphs.Validate(model, options);
        int d = model.Dimension;
        var g = new OnnxGraphBuilder(OnnxContract.PairwiseScorerGraph);
        var user = OnnxIdInputs.RawIdToIndex(g, OnnxContract.UserInput, model.Users, options.UserIdMap, options.IdInputShape);
        var item = OnnxIdInputs.RawIdToIndex(g, OnnxContract.ItemInput, model.Items, options.ItemIdMap, options.IdInputShape);

        var userFactors = UserFactorsWithFallback(g, model);
        g.Initializer(OnnxContract.ItemFactorsInitializer, [.. model.ItemFactors, .. model.FallbackItemFactor], model.Items.Count + 1, d);
        g.Initializer(OnnxContract.ItemBiasInitializer, [.. model.ItemBias, model.FallbackItemBias], model.Items.Count + 1);
        g.Initializer("axis_1", [1L], 1);

        var p = g.Node("Gather", [userFactors, user], "p");
        var q = g.Node("Gather", [OnnxContract.ItemFactorsInitializer, item], "q");
        if (hybrid?.UserText is { } userText) p = AddProjectedText(g, "user", p, userText, user);
        if (hybrid is not null) q = AddProjectedText(g, "item", q, hybrid.ItemText, item);
        var dot = g.Node("ReduceSum", [g.Node("Mul", [p, q], "pq"), "axis_1"], "dot", OnnxGraphBuilder.Attr("keepdims", 0));
        var b = g.Node("Gather", [OnnxContract.ItemBiasInitializer, item], "b");
        g.Node("Add", [dot, b], OnnxContract.ScoreOutput);
        g.Output(OnnxContract.ScoreOutput, DataType.Float, [BatchDim]);

        RecommenderGraphs.WriteMetadata(g, model, model.Dimension, options, OnnxMetadataKeys.PairwiseScorerContract, TextMetadata(hybrid));
        return RecommenderGraphs.Finish(g, hybrid is null
            ? "Pairwise scorer: score[n] = p(user[n]) · q(item[n]) + b(item[n]); unknown ids use the mean vectors and bias."
            : "Hybrid pairwise scorer: score[n] = p(user[n]) · (q(item[n]) + W·(t(item[n]) − c)) + b(item[n]), t the item's text embedding; unknown ids use the mean vectors and bias.");
    }

    /// <summary>
    /// The top-K recommender: input <c>user</c> (raw ids, <c>[N]</c> or <c>[N,1]</c>; see
    /// <see cref="OnnxExportOptions.IdInputShape"/>), outputs <c>item_ids</c>
    /// <c>[N,K]</c> (raw ids) and float <c>scores</c> <c>[N,K]</c>, sorted by descending score, ties by the lower
    /// item index (ONNX TopK semantics). K is clamped to the catalogue size. With
    /// <see cref="TopKExportOptions.ExcludeTrainingItems"/>, a user's training items score -inf (the graph holds them
    /// sparsely, one int64 per training positive); unknown users get the fallback vector and no exclusions.
    /// </summary>
    public static byte[] ExportTopK(FactorizationModel model, TopKExportOptions options) => TopK(model, null, options);

    /// <summary>
    /// The top-K recommender of a hybrid model (same contract): the graph computes every item's vector
    /// q_i + W·(t_i − c) (<c>Sub</c>, <c>MatMul</c>, <c>Add</c> over the item text table) and scores them all with one
    /// <c>Gemm</c>. Items added with <see cref="HybridFactorizationModel.WithNewItems(IReadOnlyList{string}, IReadOnlyList{float[]})"/>
    /// are ranked like any other.
    /// </summary>
    public static byte[] ExportTopK(HybridFactorizationModel model, TopKExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        return TopK(model.IdFactors, model, options);
    }

    private static byte[] TopK(FactorizationModel model, HybridFactorizationModel? hybrid, TopKExportOptions options)
    {
        RecommenderGraphs.Validate(model, options);
        int k = RecommenderGraphs.TopKSize(model, options);
        int items = model.Items.Count;

        var g = new OnnxGraphBuilder(OnnxContract.TopKGraph);
        var user = OnnxIdInputs.RawIdToIndex(g, OnnxContract.UserInput, model.Users, options.UserIdMap, options.IdInputShape);
        var userFactors = UserFactorsWithFallback(g, model);
        g.Initializer(OnnxContract.ItemFactorsInitializer, model.ItemFactors, items, model.Dimension);
        g.Initializer(OnnxContract.ItemBiasInitializer, model.ItemBias, items);
        var p = g.Node("Gather", [userFactors, user], "p");
        var itemVectors = OnnxContract.ItemFactorsInitializer;
        if (hybrid?.UserText is { } userText) p = AddProjectedText(g, "user", p, userText, user);
        if (hybrid is not null) itemVectors = AddProjectedText(g, "item", itemVectors, hybrid.ItemText, index: null);
        var scores = g.Node("Gemm", [p, itemVectors, OnnxContract.ItemBiasInitializer], "all_scores", OnnxGraphBuilder.Attr("transB", 1));
        if (options.ExcludeTrainingItems)
        {
            var trained = RecommenderGraphs.SparseRowsInitializers(g, "trained", options.TrainingData!);
            scores = RecommenderGraphs.ExcludeTrainingItems(g, scores, user, trained);
        }
        RecommenderGraphs.TopKOutputs(g, model.Items, scores, k);

        RecommenderGraphs.WriteMetadata(g, model, model.Dimension, options, OnnxMetadataKeys.TopKContract,
            [.. RecommenderGraphs.TopKMetadata(k, options), .. TextMetadata(hybrid)]);
        return RecommenderGraphs.Finish(g, $"Top-{k} recommender: the {k} best-scoring items per user, descending; ties by lower item index.");
    }

    /// <summary>
    /// Adds the projected text of one side to <paramref name="idVectors"/>: (t − c)·W with t gathered by
    /// <paramref name="index"/> from the text table, whose appended last row (the fallback) is the mean embedding —
    /// or, with no index, the whole table without that row. Returns the name of the summed vectors.
    /// </summary>
    private static string AddProjectedText(OnnxGraphBuilder g, string side, string idVectors, TextProjection text, string? index)
    {
        int t = text.TextDimension;
        string table = index is null
            ? g.Initializer($"{side}_text", text.Embeddings, text.Count, t)
            : g.Initializer($"{side}_text", [.. text.Embeddings, .. RowMean(text.Embeddings, text.Count, t)], text.Count + 1, t);
        g.Initializer($"{side}_text_center", text.Center, t);
        g.Initializer($"{side}_text_projection", text.Weights, t, text.Dimension);
        var embeddings = index is null ? table : g.Node("Gather", [table, index], $"{side}_t");
        var centred = g.Node("Sub", [embeddings, $"{side}_text_center"], $"{side}_t_centred");
        var projected = g.Node("MatMul", [centred, $"{side}_text_projection"], $"{side}_t_projected");
        return g.Node("Add", [idVectors, projected], $"{side}_vectors");
    }

    private static float[] RowMean(float[] rows, int count, int width)
    {
        var mean = new double[width];
        for (int r = 0; r < count; r++)
            for (int k = 0; k < width; k++) mean[k] += rows[r * width + k];
        return mean.Select(v => count == 0 ? 0f : (float)(v / count)).ToArray();
    }

    private static (string Key, string Value)[] TextMetadata(HybridFactorizationModel? hybrid)
    {
        if (hybrid is null) return [];
        var entries = new List<(string, string)> { (OnnxMetadataKeys.ItemTextDimension, hybrid.ItemText.TextDimension.ToString(CultureInfo.InvariantCulture)) };
        if (hybrid.UserText is { } u) entries.Add((OnnxMetadataKeys.UserTextDimension, u.TextDimension.ToString(CultureInfo.InvariantCulture)));
        return [.. entries];
    }

    /// <summary>The user factors with the fallback vector appended as row <c>Users.Count</c>.</summary>
    private static string UserFactorsWithFallback(OnnxGraphBuilder g, FactorizationModel model) =>
        g.Initializer(OnnxContract.UserFactorsInitializer, [.. model.UserFactors, .. model.FallbackUserFactor], model.Users.Count + 1, model.Dimension);
}
