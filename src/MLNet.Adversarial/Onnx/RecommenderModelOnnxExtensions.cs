using MLNet.Adversarial.Models;

namespace MLNet.Adversarial.Onnx;

/// <summary>
/// The ONNX exports of every <see cref="IRecommenderModel"/>, as extension methods so that <c>model.ExportTopK(...)</c>
/// reads as before while Models stays below Onnx in the layering (docs/architecture.md): the exporter of each model kind
/// is chosen here, not in the model.
/// </summary>
public static class RecommenderModelOnnxExtensions
{
    /// <summary>
    /// The pairwise scorer: inputs <see cref="OnnxContract.UserInput"/> and <see cref="OnnxContract.ItemInput"/> (raw ids),
    /// output float <see cref="OnnxContract.ScoreOutput"/> <c>[N]</c> (see
    /// <see cref="FactorizationOnnxExporter.ExportPairwiseScorer(FactorizationModel, OnnxExportOptions)"/> for the contract).
    /// </summary>
    /// <exception cref="NotSupportedException">The model is of a kind this library does not know and is not <see cref="IOnnxExportable"/>.</exception>
    public static byte[] ExportPairwiseScorer(this IRecommenderModel model, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model switch
        {
            FactorizationModel f => FactorizationOnnxExporter.ExportPairwiseScorer(f, options),
            HybridFactorizationModel h => FactorizationOnnxExporter.ExportPairwiseScorer(h, options),
            CfganModel c => CfganOnnxExporter.ExportPairwiseScorer(c, options),
            IOnnxExportable e => e.ExportPairwiseScorer(options),
            _ => throw NoExporter(model),
        };
    }

    /// <summary>
    /// The top-K recommender: input <see cref="OnnxContract.UserInput"/> (raw ids), outputs
    /// <see cref="OnnxContract.ItemIdsOutput"/> and <see cref="OnnxContract.ScoresOutput"/> <c>[N,K]</c> (see
    /// <see cref="FactorizationOnnxExporter.ExportTopK(FactorizationModel, TopKExportOptions)"/> for the contract).
    /// </summary>
    /// <exception cref="NotSupportedException">The model is of a kind this library does not know and is not <see cref="IOnnxExportable"/>.</exception>
    public static byte[] ExportTopK(this IRecommenderModel model, TopKExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model switch
        {
            FactorizationModel f => FactorizationOnnxExporter.ExportTopK(f, options),
            HybridFactorizationModel h => FactorizationOnnxExporter.ExportTopK(h, options),
            CfganModel c => CfganOnnxExporter.ExportTopK(c, options),
            IOnnxExportable e => e.ExportTopK(options),
            _ => throw NoExporter(model),
        };
    }

    /// <summary>User-based CFGAN models: the graph that takes a purchase vector instead of a user id, for unseen users (see <see cref="CfganOnnxExporter.ExportPurchaseVectorScorer"/>).</summary>
    /// <exception cref="InvalidOperationException">The model is item-based.</exception>
    public static byte[] ExportPurchaseVectorScorer(this CfganModel model, TopKExportOptions options) => CfganOnnxExporter.ExportPurchaseVectorScorer(model, options);

    private static NotSupportedException NoExporter(IRecommenderModel model) =>
        new($"{model.GetType().Name} has no ONNX exporter: implement {nameof(IOnnxExportable)} to export, serve and save it.");
}
