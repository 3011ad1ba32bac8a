using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;
using MLNet.Adversarial.Onnx;
using MLNet.Adversarial.Trainers;
using MLNet.Adversarial.Training;

namespace MLNet.Adversarial.Cli.Commands;

/// <summary>
/// <c>update</c>: adds new interactions to a BPR or APR model folder without retraining from scratch — the unseen
/// users and items are folded in, training continues from the model's weights on the new positives and a sample of
/// the old ones (<see cref="AprTrainer.Update(FactorizationModel, InteractionData, InteractionData, UpdateOptions, Action{string})"/>) —
/// and writes a complete new model folder atomically: everything goes into a hidden folder beside it, renamed into
/// place at the end; the source folder is only read, and a failure leaves no folder behind.
/// </summary>
internal static class UpdateCommand
{
    private sealed class Flags
    {
        public readonly Option<string> Model = CliSupport.ModelDirectory();
        public readonly Option<string?> Interactions = CliSupport.File("--interactions", "New interactions 'user item [rating [timestamp]]' (read like 'train --train').", required: true);
        public readonly Option<float?> MinRating = CliSupport.MinRating();
        public readonly Option<int> Epochs = new("--epochs") { Description = "Epochs of training after the fold-in (0: fold-in only).", DefaultValueFactory = _ => UpdateOptions.Defaults.Epochs, HelpName = "N" };
        public readonly Option<double> OldPerNew = new("--old-per-new") { Description = "Old positives trained alongside each new one (whole users, sampled).", DefaultValueFactory = _ => UpdateOptions.Defaults.OldPositivesPerNew, HelpName = "R" };
        public readonly Option<int?> Seed = new("--seed") { Description = "Seed of the sample and the epochs (default: the model's training seed).", HelpName = "S" };
        public readonly Option<int?> TopK = new("--topk") { Description = "K of the exported topk.onnx (default: the K of the model folder's).", HelpName = "K" };
        public readonly Option<int> Threads = new("--threads") { Description = "libtorch intra-op threads.", DefaultValueFactory = _ => 1 };
        public readonly Option<string> OutDir = new("--out") { Description = "The new model folder (must not exist).", Required = true, HelpName = "DIR" };
    }

    public static Command Create()
    {
        var f = new Flags();
        var command = new Command("update", "Add new interactions to a BPR or APR model folder (new users and items folded in, a few epochs of training from its weights) and write a complete new model folder atomically.")
            { f.Model, f.Interactions, f.MinRating, f.Epochs, f.OldPerNew, f.Seed, f.TopK, f.Threads, f.OutDir };
        command.SetHandler(c => Run(c, f));
        return command;
    }

    private static int Run(CommandContext c, Flags f)
    {
        var update = new UpdateOptions { Epochs = c.Get(f.Epochs), OldPositivesPerNew = c.Get(f.OldPerNew), Seed = c.Get(f.Seed) };
        if (update.Epochs < 0) throw new CliException("--epochs must be 0 or more.");
        if (!(update.OldPositivesPerNew >= 0) || double.IsInfinity(update.OldPositivesPerNew)) throw new CliException("--old-per-new must be finite and at least 0.");
        if (c.Get(f.TopK) is <= 0) throw new CliException("--topk must be positive.");
        if (c.Get(f.Threads) is < 1 or > TrainingSizeLimits.MaxThreads) throw new CliException($"--threads must be in 1..{TrainingSizeLimits.MaxThreads}.");
        update.Validate();
        string outPath = Path.GetFullPath(c.Get(f.OutDir));
        if (Directory.Exists(outPath) || File.Exists(outPath))
            throw new CliException($"--out: '{c.Get(f.OutDir)}' already exists; update writes a new folder and never overwrites one: choose another --out.");

        var source = new ModelDirectory(c.Get(f.Model));
        var model = source.LoadModel();
        var (kind, _) = source.ReadExportMetadata();
        if (model is not FactorizationModel factors || model is HybridFactorizationModel || kind.StartsWith("irgan", StringComparison.Ordinal))
            throw new CliException($"--model: '{source.Path}' holds a {kind} model; update supports BPR and APR models only: retrain with 'mlnet-adv train' on the old and new rows.");
        if (!File.Exists(source.Checkpoint)) throw new CliException($"--model: '{source.Checkpoint}' is missing; update needs the checkpoint 'train' writes (it records the training options).");
        AprTrainer.Options options;
        TrainingCheckpoint checkpoint;
        try
        {
            checkpoint = TrainingCheckpoint.Load(source.Checkpoint);
            options = AprTrainer.Options.FromCheckpoint(checkpoint);
        }
        catch (InvalidDataException e)
        {
            throw new CliException($"--model: {source.Checkpoint}: {e.Message}");
        }
        var known = source.LoadTrainingPositives(model);
        var rows = InteractionFileReader.Read(c.Get(f.Interactions)!);
        float? minRating = c.Get(f.MinRating);
        if (minRating is not null && rows.Ratings is null) throw new CliException($"--min-rating needs ratings, but {rows.Source} has none.");
        if (rows.Users.Kind != model.Users.Kind || rows.Items.Kind != model.Items.Kind)
            throw new CliException($"--interactions: {rows.Source} has {rows.Users.Kind} user and {rows.Items.Kind} item ids; the model has {model.Users.Kind} and {model.Items.Kind}.");
        int topK = c.Get(f.TopK) ?? (File.Exists(source.TopKOnnx) ? ModelDirectory.ReadK(OnnxModelFile.Validate(source.TopKOnnx), source.TopKOnnx) : RecommenderTrainerOptions.Defaults.TopK);

        options.MinRating = minRating;
        options.RatingColumnName = rows.Ratings is null ? null : InteractionDataView.Columns.Rating;
        options.NumberOfThreads = c.Get(f.Threads);
        options.TopK = topK;
        var view = new InteractionDataView(rows);
        var mlContext = new MLContext(options.Seed);
        var clock = Stopwatch.StartNew();
        using var transformer = mlContext.Adversarial().Trainers.Apr(options).Update(factors, known, view, update, checkpoint);
        double seconds = clock.Elapsed.TotalSeconds;

        // Everything is written into a hidden folder beside --out and renamed into place: no half folder, ever.
        string parent = Path.GetDirectoryName(outPath)!;
        Directory.CreateDirectory(parent);
        string temporary = Path.Combine(parent, $".{Path.GetFileName(outPath)}.partial-{Guid.NewGuid():N}");
        try
        {
            var dir = new ModelDirectory(temporary);
            ModelFolder.SaveModel(dir, mlContext, transformer, view.Schema);
            ModelDirectory.WritePositives(dir.TrainingPositives, transformer.TrainingData);
            ModelFolder.ExportGraphs(dir, transformer, topK);
            var training = transformer.Training;
            int newUsers = transformer.Model.Users.Count - model.Users.Count, newItems = transformer.Model.Items.Count - model.Items.Count;
            var report = new UpdateReport(Path.GetFullPath(source.Path), rows.Source, rows.Count, transformer.TrainingData.Count - known.Count, newUsers, newItems,
                transformer.Model.Users.Count, transformer.Model.Items.Count, update.Epochs, update.OldPositivesPerNew, seconds, ModelFolder.OptionsSummary(options), training.History);
            Reports.WriteJson(dir.Metrics, report);
            Directory.Move(temporary, outPath);
            c.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"updated in {seconds:F1}s: {report.NewPositives} new positives, {newUsers} users and {newItems} items folded in, {update.Epochs} epochs"));
            c.Out.WriteLine($"wrote {c.Get(f.OutDir)}: model.zip model.bin scorer.onnx topk.onnx checkpoint.bin train-positives.tsv metrics.json");
        }
        catch
        {
            if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
            throw;
        }
        return 0;
    }

    /// <summary>metrics.json of an updated folder: what was added and how the update ran (no test metrics: evaluate the folder with 'evaluate').</summary>
    private sealed record UpdateReport(string UpdatedFrom, string Interactions, int Rows, int NewPositives, int NewUsers, int NewItems, int Users, int Items,
        int Epochs, double OldPositivesPerNew, double Seconds, IReadOnlyDictionary<string, object?> Options, IReadOnlyList<TrainingEpochReport> History);
}
