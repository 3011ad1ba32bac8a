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
    public static byte[] ExportPairwiseScorer(this IRecommenderModel model, OnnxExportOptions options) => Export(model,
        f => FactorizationOnnxExporter.ExportPairwiseScorer(f, options), h => FactorizationOnnxExporter.ExportPairwiseScorer(h, options),
        c => CfganOnnxExporter.ExportPairwiseScorer(c, options), e => e.ExportPairwiseScorer(options));

    /// <summary>
    /// The top-K recommender: input <see cref="OnnxContract.UserInput"/> (raw ids), outputs
    /// <see cref="OnnxContract.ItemIdsOutput"/> and <see cref="OnnxContract.ScoresOutput"/> <c>[N,K]</c> (see
    /// <see cref="FactorizationOnnxExporter.ExportTopK(FactorizationModel, TopKExportOptions)"/> for the contract).
    /// </summary>
    /// <exception cref="NotSupportedException">The model is of a kind this library does not know and is not <see cref="IOnnxExportable"/>.</exception>
    public static byte[] ExportTopK(this IRecommenderModel model, TopKExportOptions options) => Export(model,
        f => FactorizationOnnxExporter.ExportTopK(f, options), h => FactorizationOnnxExporter.ExportTopK(h, options),
        c => CfganOnnxExporter.ExportTopK(c, options), e => e.ExportTopK(options));

    /// <summary>User-based CFGAN models: the graph that takes a purchase vector instead of a user id, for unseen users (see <see cref="CfganOnnxExporter.ExportPurchaseVectorScorer"/>).</summary>
    /// <exception cref="InvalidOperationException">The model is item-based.</exception>
    public static byte[] ExportPurchaseVectorScorer(this CfganModel model, TopKExportOptions options) => CfganOnnxExporter.ExportPurchaseVectorScorer(model, options);

    /// <summary>The one place that picks the exporter of a model's kind.</summary>
    private static byte[] Export(IRecommenderModel model, Func<FactorizationModel, byte[]> factorization,
        Func<HybridFactorizationModel, byte[]> hybrid, Func<CfganModel, byte[]> cfgan, Func<IOnnxExportable, byte[]> own)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model switch
        {
            FactorizationModel f => factorization(f),
            HybridFactorizationModel h => hybrid(h),
            CfganModel c => cfgan(c),
            IOnnxExportable e => own(e),
            _ => throw new NotSupportedException($"{model.GetType().Name} has no ONNX exporter: implement {nameof(IOnnxExportable)} to export and serve it."),
        };
    }
}
