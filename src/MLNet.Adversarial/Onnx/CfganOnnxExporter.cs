using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;
using DataType = Onnx.TensorProto.Types.DataType;

namespace MLNet.Adversarial.Onnx;

/// <summary>
/// Writes a <see cref="CfganModel"/> as self-contained ONNX models (opset 17 plus <c>ai.onnx.ml</c> 3): the same
/// pairwise-scorer and top-K contracts as <see cref="FactorizationOnnxExporter"/>, keyed by raw user id, with the
/// training purchase vectors inside the graph; and a third graph whose input is a purchase vector, to serve users the
/// model has never seen. The generator runs inside each graph: Gemm and Sigmoid per layer.
/// </summary>
/// <remarks>
/// The purchase matrix is stored sparsely (CSR: row offsets and column indices, one row per user, per item when the
/// model is item-based, plus an empty row for an unknown id) and the looked-up rows are scattered into zeros; an unknown column (item, or user when item-based) is
/// scored with the fallback output row, as <see cref="CfganModel.Score(int, int)"/> does for index -1. The output is
/// deterministic. The purchase-vector graph exists for user-based models only.
/// </remarks>
public static class CfganOnnxExporter
{
    private const string BatchDim = OnnxContract.BatchDimension;

    /// <summary>The name prefix of the purchase matrix's CSR initializers.</summary>
    private const string PurchaseRows = "purchase";

    /// <summary>
    /// The pairwise scorer: inputs <c>user</c>, <c>item</c> (raw ids), output float <c>score</c> <c>[N]</c> =
    /// the generator's output for the user's purchase vector at the item (item-based: for the item's purchase vector
    /// at the user). See <see cref="FactorizationOnnxExporter.ExportPairwiseScorer(FactorizationModel, OnnxExportOptions)"/> for the id inputs.
    /// </summary>
    public static byte[] ExportPairwiseScorer(CfganModel model, OnnxExportOptions options)
    {
        RecommenderGraphs.Validate(model, options);
        var g = new OnnxGraphBuilder(OnnxContract.CfganPairwiseScorerGraph);
        var user = OnnxIdInputs.RawIdToIndex(g, OnnxContract.UserInput, model.Users, options.UserIdMap, options.IdInputShape);
        var item = OnnxIdInputs.RawIdToIndex(g, OnnxContract.ItemInput, model.Items, options.ItemIdMap, options.IdInputShape);
        // The generator maps the row's purchase vector; the column picks the output.
        bool userBased = model.Orientation == CfganOrientation.UserBased;
        var (row, column) = userBased ? (user, item) : (item, user);
        var hidden = Hidden(g, model, RowPurchases(g, model, row));

        OutputRowsWithFallback(g, model);
        var w = g.Node("Gather", ["output_rows", column], "column_rows");
        var dot = g.Node("ReduceSum", [g.Node("Mul", [hidden, w], "hidden_rows"), "axis_1"], "dot", OnnxGraphBuilder.Attr("keepdims", 0));
        var logit = g.Node("Add", [dot, g.Node("Gather", ["output_bias", column], "column_bias")], model.SigmoidOutput ? "logit" : OnnxContract.ScoreOutput);
        if (model.SigmoidOutput) g.Node("Sigmoid", [logit], OnnxContract.ScoreOutput);
        g.Output(OnnxContract.ScoreOutput, DataType.Float, [BatchDim]);

        RecommenderGraphs.WriteMetadata(g, model, Dimension(model), options, OnnxMetadataKeys.PairwiseScorerContract, OrientationMetadata(model));
        return RecommenderGraphs.Finish(g, userBased
            ? "CFGAN pairwise scorer: score[n] = G(purchases(user[n]))[item[n]]; unknown users have no purchases, unknown items use the mean output row."
            : "Item-based CFGAN pairwise scorer: score[n] = G(purchases(item[n]))[user[n]]; unknown items have no purchases, unknown users use the mean output row.");
    }

    /// <summary>
    /// The top-K recommender: input <c>user</c> (raw ids), outputs <c>item_ids</c> and <c>scores</c> <c>[N,K]</c>,
    /// as <see cref="FactorizationOnnxExporter.ExportTopK(FactorizationModel, TopKExportOptions)"/> (same exclusion
    /// rules). User-based, an unknown user gets the all-zero purchase vector; item-based, the graph runs the generator on
    /// every item's purchase vector and an unknown user gets the mean output row.
    /// </summary>
    public static byte[] ExportTopK(CfganModel model, TopKExportOptions options)
    {
        RecommenderGraphs.Validate(model, options);
        int k = RecommenderGraphs.TopKSize(model, options);
        var g = new OnnxGraphBuilder(OnnxContract.CfganTopKGraph);
        var user = OnnxIdInputs.RawIdToIndex(g, OnnxContract.UserInput, model.Users, options.UserIdMap, options.IdInputShape);
        string scores;
        if (model.Orientation == CfganOrientation.UserBased)
            scores = AllScores(g, model, Hidden(g, model, RowPurchases(g, model, user)));
        else
        {
            // Every item's last hidden layer [items, h] against the users' output rows [N, h], plus the users' biases.
            var itemHidden = Hidden(g, model, RowPurchases(g, model, row: null));
            OutputRowsWithFallback(g, model);
            var userRows = g.Node("Gather", ["output_rows", user], "user_rows");
            var userBias = g.Node("Unsqueeze", [g.Node("Gather", ["output_bias", user], "user_bias"), "axis_1"], "user_bias_column");
            var logits = g.Node("Add", [g.Node("Gemm", [userRows, itemHidden], "user_item", OnnxGraphBuilder.Attr("transB", 1)), userBias],
                model.SigmoidOutput ? "all_logits" : "all_scores");
            scores = model.SigmoidOutput ? g.Node("Sigmoid", [logits], "all_scores") : logits;
        }
        if (options.ExcludeTrainingItems)
        {
            // User-based, the purchase rows double as the exclusions when the training data are the model's purchases.
            bool purchases = model.Orientation == CfganOrientation.UserBased && SamePositives(options.TrainingData!, model.Purchases);
            var trained = RecommenderGraphs.SparseRowsInitializers(g, purchases ? PurchaseRows : "trained", options.TrainingData!);
            scores = RecommenderGraphs.ExcludeTrainingItems(g, scores, user, trained);
        }
        RecommenderGraphs.TopKOutputs(g, model.Items, scores, k);
        RecommenderGraphs.WriteMetadata(g, model, Dimension(model), options, OnnxMetadataKeys.TopKContract,
            [.. RecommenderGraphs.TopKMetadata(k, options), .. OrientationMetadata(model)]);
        return RecommenderGraphs.Finish(g, $"CFGAN top-{k} recommender: the {k} best-scoring items per user, descending; ties by lower item index.");
    }

    /// <summary>
    /// The purchase-vector graph, for users the model has never seen: input float <c>purchases</c> <c>[N, items]</c>
    /// (1 for a purchased item, 0 otherwise, in the order of <c>catalog_item_ids</c>), outputs float
    /// <c>item_scores</c> <c>[N, items]</c>, <c>item_ids</c> and <c>scores</c> <c>[N, K]</c> (the top K, purchased
    /// items left out when <see cref="TopKExportOptions.ExcludeTrainingItems"/>), and <c>catalog_item_ids</c> <c>[items]</c>.
    /// <see cref="OnnxExportOptions.TrainingData"/> is not needed (it is recorded in the metadata when given).
    /// </summary>
    /// <exception cref="InvalidOperationException">The model is item-based: its generator's inputs are items' vectors over the known users.</exception>
    public static byte[] ExportPurchaseVectorScorer(CfganModel model, TopKExportOptions options)
    {
        RecommenderGraphs.Validate(model, options);
        model.RequireUserBased();
        int k = RecommenderGraphs.TopKSize(model, options, exclusionNeedsTrainingData: false);
        int items = model.Items.Count;
        var g = new OnnxGraphBuilder(OnnxContract.CfganPurchaseVectorGraph);
        g.Input(OnnxContract.PurchasesInput, DataType.Float, [BatchDim, (long)items]);
        var scores = AllScores(g, model, Hidden(g, model, OnnxContract.PurchasesInput), OnnxContract.ItemScoresOutput);
        g.Output(OnnxContract.ItemScoresOutput, DataType.Float, [BatchDim, (long)items]);
        if (options.ExcludeTrainingItems)
        {
            g.Initializer("zero", [0f]);
            g.Initializer("minus_inf", [float.NegativeInfinity]);
            scores = g.Node("Where", [g.Node("Greater", [OnnxContract.PurchasesInput, "zero"], "purchased"), "minus_inf", scores], "open_scores");
        }
        RecommenderGraphs.TopKOutputs(g, model.Items, scores, k);
        g.Node("Identity", [RecommenderGraphs.ItemIdTable(g, model.Items)], OnnxContract.CatalogOutput);
        g.Output(OnnxContract.CatalogOutput, OnnxIdInputs.ElementType(model.Items), [(long)items]);
        RecommenderGraphs.WriteMetadata(g, model, Dimension(model), options, OnnxMetadataKeys.PurchaseVectorContract,
            [.. RecommenderGraphs.TopKMetadata(k, options), .. OrientationMetadata(model)]);
        return RecommenderGraphs.Finish(g, $"CFGAN purchase-vector scorer: G(purchases) for every item, and the top {k} items not purchased.");
    }

    /// <summary>
    /// The purchase vectors the generator maps, as floats [N, columns]: the rows <paramref name="row"/> of the purchase
    /// matrix (users', or items' when item-based; an unknown id's row is all zero), or every row when
    /// <paramref name="row"/> is null. The matrix is stored sparsely (<c>purchase_offsets</c>, <c>purchase_columns</c>)
    /// and the vectors are written into zeros with <see cref="RecommenderGraphs.ScatterRows"/>.
    /// </summary>
    private static string RowPurchases(OnnxGraphBuilder g, CfganModel model, string? row)
    {
        var rows = model.Rows;
        var csr = RecommenderGraphs.SparseRowsInitializers(g, PurchaseRows, rows);
        g.Initializer("purchase_zero", [0f]);
        g.Initializer("purchase_one", [1f]);
        g.Initializer("purchase_width", [(long)rows.Items.Count], 1);
        if (row is null)
        {
            g.Initializer("purchase_first_row", [0L]);
            g.Initializer("purchase_row_count", [(long)rows.Users.Count]);
            g.Initializer("purchase_row_step", [1L]);
            row = g.Node("Range", ["purchase_first_row", "purchase_row_count", "purchase_row_step"], "purchase_row");
        }
        var shape = g.Node("Concat", [g.Node("Shape", [row], "purchase_batch"), "purchase_width"], "purchase_shape", OnnxGraphBuilder.Attr("axis", 0));
        var zeros = g.Node("Expand", ["purchase_zero", shape], "purchase_zeros");
        return RecommenderGraphs.ScatterRows(g, csr, row, zeros, "purchase_one", "purchase_vectors");
    }

    /// <summary>The generator's last hidden activations for the purchase vectors <paramref name="purchases"/> [N, items].</summary>
    private static string Hidden(OnnxGraphBuilder g, CfganModel model, string purchases)
    {
        var x = purchases;
        for (int l = 0; l < model.GeneratorLayers.Count - 1; l++)
        {
            var layer = model.GeneratorLayers[l];
            g.Initializer($"g{l}_weight", layer.Weights, layer.Outputs, layer.Inputs);
            g.Initializer($"g{l}_bias", layer.Bias, layer.Outputs);
            var z = g.Node("Gemm", [x, $"g{l}_weight", $"g{l}_bias"], $"g{l}_linear", OnnxGraphBuilder.Attr("transB", 1));
            x = g.Node("Sigmoid", [z], $"g{l}_hidden");
        }
        return x;
    }

    /// <summary>The generator's output for every item, [N, items].</summary>
    private static string AllScores(OnnxGraphBuilder g, CfganModel model, string hidden, string? name = null)
    {
        var last = model.GeneratorLayers[^1];
        g.Initializer("output_weight", last.Weights, last.Outputs, last.Inputs);
        g.Initializer("output_bias_all", last.Bias, last.Outputs);
        var logits = g.Node("Gemm", [hidden, "output_weight", "output_bias_all"], model.SigmoidOutput ? "all_logits" : name ?? "all_scores", OnnxGraphBuilder.Attr("transB", 1));
        return model.SigmoidOutput ? g.Node("Sigmoid", [logits], name ?? "all_scores") : logits;
    }

    /// <summary>
    /// The output layer's rows and biases, one per column plus the fallback for an unknown column (index -1 after
    /// the id lookup), as <c>output_rows</c> and <c>output_bias</c>; and <c>axis_1</c>.
    /// </summary>
    private static void OutputRowsWithFallback(OnnxGraphBuilder g, CfganModel model)
    {
        var last = model.GeneratorLayers[^1];
        g.Initializer("output_rows", [.. last.Weights, .. model.FallbackOutputRow], last.Outputs + 1, last.Inputs);
        g.Initializer("output_bias", [.. last.Bias, model.FallbackOutputBias], last.Outputs + 1);
        g.Initializer("axis_1", [1L], 1);
    }

    private static (string Key, string Value)[] OrientationMetadata(CfganModel model) =>
        [(OnnxMetadataKeys.CfganOrientation, model.Orientation == CfganOrientation.UserBased ? OnnxContract.CfganUserBased : OnnxContract.CfganItemBased)];

    private static bool SamePositives(InteractionData a, InteractionData b) =>
        a.Users.Equals(b.Users) && a.Items.Equals(b.Items) && a.Offsets.SequenceEqual(b.Offsets) && a.ItemIndices.SequenceEqual(b.ItemIndices);

    /// <summary>The metadata's dimension: the width of the generator's last hidden layer.</summary>
    private static int Dimension(CfganModel model) => model.GeneratorLayers[^1].Inputs;
}
