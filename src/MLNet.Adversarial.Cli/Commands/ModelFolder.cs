using Microsoft.ML;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;
using MLNet.Adversarial.Onnx;
using MLNet.Adversarial.Serving;
using MLNet.Adversarial.Trainers;

namespace MLNet.Adversarial.Cli.Commands;

/// <summary>Writes a trained model's folder (model.bin, model.zip, checkpoint, scorer.onnx, topk.onnx, the positives): shared by <c>train</c> and <c>tune</c>.</summary>
internal static class ModelFolder
{
    /// <summary>
    /// Writes what cannot be rebuilt without training — model.bin, model.zip and the checkpoint, each atomically — and
    /// returns their names: everything after this can be redone with 'mlnet-adv export'.
    /// </summary>
    public static List<string> SaveModel(ModelDirectory dir, MLContext mlContext, RecommenderTransformer transformer, DataViewSchema inputSchema)
    {
        Directory.CreateDirectory(dir.Path);
        var saved = new List<string>();
        AtomicFile.Write(dir.ModelBin, transformer.Model.Save);
        saved.Add(Path.GetFileName(dir.ModelBin));
        using (var zip = new MemoryStream())
        {
            mlContext.Model.Save(transformer, inputSchema, zip);
            AtomicFile.WriteAllBytes(dir.ModelZip, zip.ToArray());
        }
        saved.Add(Path.GetFileName(dir.ModelZip));
        if (transformer.Checkpoint is not null)
        {
            transformer.SaveCheckpoint(dir.Checkpoint);
            saved.Add(Path.GetFileName(dir.Checkpoint));
        }
        return saved;
    }

    /// <summary>The ONNX graphs and the training positives (all rows the shipped model saw, validation included, are "seen").</summary>
    public static void Export(ModelDirectory dir, RecommenderTransformer transformer, InteractionTable rows, float? minRating, int topK)
    {
        ModelDirectory.WritePositives(dir.TrainingPositives, rows, minRating);
        ExportGraphs(dir, transformer, topK);
    }

    /// <summary>The ONNX graphs, with the training positives already in the folder (<see cref="ModelDirectory.TrainingPositives"/>).</summary>
    public static void ExportGraphs(ModelDirectory dir, RecommenderTransformer transformer, int topK)
    {
        transformer.SaveScorerOnnx(dir.ScorerOnnx);
        var (kind, hyper) = dir.ReadExportMetadata();
        var topKOptions = new TopKExportOptions
        {
            ModelKind = kind, HyperParameters = hyper, K = topK, ExcludeTrainingItems = true,
            TrainingData = dir.LoadTrainingPositives(transformer.Model),
        };
        AtomicFile.WriteAllBytes(dir.TopKOnnx, transformer.Model.ExportTopK(topKOptions));
        // User-based CFGAN also serves users it has never seen, from their purchase vector.
        if (transformer.Model is CfganModel { Orientation: CfganOrientation.UserBased } cfgan)
            AtomicFile.WriteAllBytes(dir.PurchaseVectorOnnx, cfgan.ExportPurchaseVectorScorer(topKOptions));
    }

    /// <summary>The trainer's declared hyper-parameters for metrics.json (a nested object per group, e.g. privacy), camel-cased like the rest of it.</summary>
    public static IReadOnlyDictionary<string, object?> OptionsSummary(RecommenderTrainerOptions options) => CamelCase(HyperParameterSet.For(options.GetType()).Summary(options));

    private static IReadOnlyDictionary<string, object?> CamelCase(IReadOnlyDictionary<string, object?> summary) =>
        summary.ToDictionary(e => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(e.Key),
            e => e.Value is IReadOnlyDictionary<string, object?> group ? CamelCase(group) : e.Value);
}
