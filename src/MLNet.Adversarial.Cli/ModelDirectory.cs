using System.Globalization;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;
using MLNet.Adversarial.Onnx;

namespace MLNet.Adversarial.Cli;

/// <summary>The files 'train' writes into its output folder, and how the other commands read them back.</summary>
internal sealed class ModelDirectory(string path)
{
    public string Path { get; } = path;
    public string ModelZip => Combine("model.zip");
    public string ModelBin => Combine("model.bin");
    public string ScorerOnnx => Combine("scorer.onnx");
    public string TopKOnnx => Combine("topk.onnx");
    /// <summary>CFGAN only: the graph that scores a purchase vector (users the model has never seen).</summary>
    public string PurchaseVectorOnnx => Combine("purchase-vector.onnx");
    public string Checkpoint => Combine("checkpoint.bin");
    public string Metrics => Combine("metrics.json");
    /// <summary>The training positives (user, item per line), for excluding seen items when re-exporting.</summary>
    public string TrainingPositives => Combine("train-positives.tsv");

    private string Combine(string name) => System.IO.Path.Combine(Path, name);

    public IRecommenderModel LoadModel()
    {
        if (!Directory.Exists(Path)) throw new CliException($"--model: folder '{Path}' does not exist.");
        if (!File.Exists(ModelBin)) throw new CliException($"--model: '{ModelBin}' is missing; is '{Path}' a folder written by 'mlnet-adv train'?");
        using var stream = File.OpenRead(ModelBin);
        return RecommenderModelFile.Load(stream, ModelBin);
    }

    /// <summary>The training positives mapped onto <paramref name="model"/>'s vocabularies (ids the model lacks are skipped).</summary>
    public InteractionData LoadTrainingPositives(IRecommenderModel model)
    {
        if (!File.Exists(TrainingPositives)) throw new CliException($"'{TrainingPositives}' is missing; export with --no-exclude or re-run 'train'.");
        return InteractionData.FromTable(InteractionFileReader.Read(TrainingPositives, new() { HasHeader = false }), model.Users, model.Items, null, out _);
    }

    public static void WritePositives(string path, InteractionTable table, float? minRating) => AtomicFile.Write(path, stream =>
    {
        using var writer = new StreamWriter(stream, leaveOpen: true);
        var users = table.Users.AsStrings().StringValues;
        var items = table.Items.AsStrings().StringValues;
        for (int r = 0; r < table.Count; r++)
            if (table.IsPositive(r, minRating)) writer.Write($"{users[r]}\t{items[r]}\n");
    });

    /// <summary>Writes <paramref name="positives"/> as the training positives file (user, item per line).</summary>
    public static void WritePositives(string path, InteractionData positives) => AtomicFile.Write(path, stream =>
    {
        using var writer = new StreamWriter(stream, leaveOpen: true);
        for (int u = 0; u < positives.Users.Count; u++)
        {
            string user = positives.Users.GetIdText(u);
            foreach (int i in positives.ItemsOf(u)) writer.Write($"{user}\t{positives.Items.GetIdText(i)}\n");
        }
    });

    /// <summary>The model kind and hyper-parameters recorded in an exported graph's metadata, to carry them into a re-export.</summary>
    public (string ModelKind, IReadOnlyDictionary<string, string> HyperParameters) ReadExportMetadata()
    {
        if (!File.Exists(ScorerOnnx)) return ("mf", new Dictionary<string, string>());
        var metadata = OnnxModelFile.Validate(ScorerOnnx);
        var hyper = metadata.Where(e => e.Key.StartsWith(OnnxMetadataKeys.HyperParameterPrefix, StringComparison.Ordinal))
            .ToDictionary(e => e.Key[OnnxMetadataKeys.HyperParameterPrefix.Length..], e => e.Value, StringComparer.Ordinal);
        return (metadata.GetValueOrDefault(OnnxMetadataKeys.ModelKind, "mf"), hyper);
    }

    public static int ReadK(IReadOnlyDictionary<string, string> metadata, string path) =>
        metadata.TryGetValue(OnnxMetadataKeys.K, out var k) && int.TryParse(k, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value : throw new CliException($"'{path}' has no valid '{OnnxMetadataKeys.K}' metadata; is it a top-K export?");
}
