using System.CommandLine;
using Microsoft.ML;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Tuning;

namespace MLNet.Adversarial.Cli.Commands;

/// <summary>
/// <c>tune</c>: search the trainers' declared hyper-parameter spaces on a validation split of the training file
/// (successive halving over epochs), refit the winner on the whole file and write the same model folder as
/// <c>train</c>, plus trials.json, trials.md and trials.tsv. A killed run resumes from DIR/trials.json.
/// </summary>
internal static class TuneCommand
{
    private const string TrialsFileName = "trials.json";

    private sealed class Flags
    {
        public readonly Option<string?> TrainFile = CliSupport.File("--train", "Training interactions 'user item [rating [timestamp]]'; tuning holds out its validation split from this file only.", required: true);
        public readonly Option<float?> MinRating = CliSupport.MinRating();
        public readonly Option<string> Trainers = new("--trainers") { Description = "Trainers to search, comma-separated: bpr, apr, irgan, cfgan.", DefaultValueFactory = _ => "bpr,apr,irgan,cfgan", HelpName = "LIST" };
        public readonly Option<double?> Minutes = new("--minutes") { Description = "Wall-clock budget in minutes, the refit of the winner included (default 10 unless --max-trials is given).", HelpName = "M" };
        public readonly Option<int?> MaxTrials = new("--max-trials") { Description = "Stop after N trials (the defaults' included): a search that does not depend on the clock.", HelpName = "N" };
        public readonly Option<string> Strategy = new Option<string>("--strategy") { Description = "halving (successive halving over epochs) or random (every trial at --max-epochs).", DefaultValueFactory = _ => "halving" }.AcceptOnlyFromAmong("halving", "random");
        public readonly Option<int> MinEpochs = new("--min-epochs") { Description = "Epoch budget of the first rung of successive halving.", DefaultValueFactory = _ => TuningOptions.Defaults.MinEpochs, HelpName = "N" };
        public readonly Option<int> MaxEpochs = new("--max-epochs") { Description = "Epoch budget of the last rung (a trial's budget is its maximum number of epochs).", DefaultValueFactory = _ => TuningOptions.Defaults.MaxEpochs, HelpName = "N" };
        public readonly Option<int> Eta = new("--eta") { Description = "Successive halving keeps the best 1/η of each rung and gives them η times the epochs.", DefaultValueFactory = _ => TuningOptions.Defaults.Eta, HelpName = "η" };
        public readonly Option<double> ValidationFraction = new("--validation-fraction") { Description = "Per-user share of the training positives held out to score the trials.", DefaultValueFactory = _ => TuningOptions.Defaults.ValidationFraction, HelpName = "F" };
        public readonly Option<bool> NoDefaults = new("--no-defaults") { Description = "Do not run each trainer's defaults as the first trials." };
        public readonly Option<int> Seed = new("--seed") { Description = "Random seed (sampled configurations, validation split, every trial).", DefaultValueFactory = _ => TuningOptions.Defaults.Seed };
        public readonly Option<int> Threads = new("--threads") { Description = "libtorch intra-op threads per trial.", DefaultValueFactory = _ => 1 };
        public readonly Option<int> TopK = new("--topk") { Description = "K of the exported topk.onnx.", DefaultValueFactory = _ => 20 };
        public readonly Option<bool> Resume = new("--resume") { Description = "Continue the search in DIR/trials.json (also done whenever that file exists); an error if it does not." };
        public readonly Option<string> OutDir = new("--out") { Description = "Output folder.", Required = true, HelpName = "DIR" };
    }

    public static Command Create()
    {
        var f = new Flags();
        var command = new Command("tune", "Search the hyper-parameters of BPR, APR, IRGAN and CFGAN on a validation split of the training file (successive halving), refit the winner on all of it and write train's model folder plus trials.json, trials.md and trials.tsv.")
        {
            f.TrainFile, f.MinRating, f.Trainers, f.Minutes, f.MaxTrials, f.Strategy, f.MinEpochs, f.MaxEpochs, f.Eta, f.ValidationFraction, f.NoDefaults, f.Seed, f.Threads, f.TopK, f.Resume, f.OutDir,
        };
        command.SetHandler(c => Run(c, f));
        return command;
    }

    /// <summary>The tuning options from the flags, checked before any data is read.</summary>
    private static TuningOptions Options(CommandContext c, Flags f, string trialsFile)
    {
        var trainers = CliSupport.ParseList(c.Get(f.Trainers), "--trainers", ParseTrainer, _ => true);
        if (trainers.Distinct().Count() != trainers.Length) throw new CliException("--trainers names a trainer twice.");
        double? minutes = c.Get(f.Minutes);
        int? maxTrials = c.Get(f.MaxTrials);
        if (minutes is <= 0 || minutes is { } m && !double.IsFinite(m)) throw new CliException("--minutes must be positive.");
        if (maxTrials is <= 0) throw new CliException("--max-trials must be positive.");
        if (c.Get(f.MinEpochs) <= 0) throw new CliException("--min-epochs must be positive.");
        if (c.Get(f.MaxEpochs) < c.Get(f.MinEpochs)) throw new CliException("--max-epochs must be at least --min-epochs.");
        if (c.Get(f.Eta) < 2) throw new CliException("--eta must be at least 2.");
        if (c.Get(f.ValidationFraction) is not (> 0 and < 1)) throw new CliException("--validation-fraction must be in (0, 1): the trials are scored on it.");
        if (c.Get(f.Threads) <= 0) throw new CliException("--threads must be positive.");
        if (c.Get(f.TopK) <= 0) throw new CliException("--topk must be positive.");
        if (c.Get(f.Resume) && !File.Exists(trialsFile)) throw new CliException($"--resume: '{trialsFile}' does not exist; start the search without --resume.");
        return new TuningOptions
        {
            MinRating = c.Get(f.MinRating), Trainers = trainers, Seed = c.Get(f.Seed),
            TimeBudget = minutes is { } budget ? TimeSpan.FromMinutes(budget) : maxTrials is null ? TimeSpan.FromMinutes(10) : null, MaxTrials = maxTrials,
            Strategy = c.Get(f.Strategy) == "random" ? TuningStrategy.RandomSearch : TuningStrategy.SuccessiveHalving,
            MinEpochs = c.Get(f.MinEpochs), MaxEpochs = c.Get(f.MaxEpochs), Eta = c.Get(f.Eta), ValidationFraction = c.Get(f.ValidationFraction),
            IncludeDefaults = !c.Get(f.NoDefaults), NumberOfThreads = c.Get(f.Threads), TrialsFile = trialsFile,
            Progress = new LineProgress(c.Out),
        };
    }

    private static TunableTrainer ParseTrainer(string name) =>
        Enum.TryParse<TunableTrainer>(name, ignoreCase: true, out var trainer) && Enum.IsDefined(trainer) && !char.IsDigit(name[0])
            ? trainer
            : throw new CliException($"--trainers: '{name}' is not one of bpr, apr, irgan, cfgan.");

    private static int Run(CommandContext c, Flags f)
    {
        var dir = new ModelDirectory(c.Get(f.OutDir));
        string trialsFile = Path.Combine(dir.Path, TrialsFileName);
        var options = Options(c, f, trialsFile);
        var train = InteractionFileReader.Read(c.Get(f.TrainFile)!);
        if (options.MinRating is not null && train.Ratings is null) throw new CliException($"--min-rating needs ratings, but {train.Source} has none.");
        options.RatingColumnName = train.Ratings is null ? null : InteractionDataView.Columns.Rating;
        options.UserColumnName = InteractionDataView.Columns.User;
        options.ItemColumnName = InteractionDataView.Columns.Item;
        Directory.CreateDirectory(dir.Path);
        if (File.Exists(trialsFile)) c.Out.WriteLine($"resuming the search in {trialsFile}: finished trials are not run again");
        c.Out.WriteLine($"tuning {string.Join(", ", options.Trainers).ToLowerInvariant()} on {train.Source} ({train.Count} rows; {options.ValidationFraction:P0} of each user's positives validate, seed {options.Seed}); " +
            $"{(options.Strategy == TuningStrategy.SuccessiveHalving ? $"successive halving, rungs of {string.Join("/", options.RungEpochs())} epochs" : $"random search at {options.MaxEpochs} epochs")}" +
            (options.TimeBudget is { } t ? $", {t.TotalMinutes:0.##} min" : "") + (options.MaxTrials is { } n ? $", at most {n} trials" : ""));

        var mlContext = new MLContext(options.Seed);
        var view = new InteractionDataView(train);
        TuningResult result;
        try
        {
            result = mlContext.Adversarial().Tune(view, options);
        }
        catch (InvalidOperationException e) when (e.Message.StartsWith("No trial", StringComparison.Ordinal) || e.Message.StartsWith("Every trial", StringComparison.Ordinal))
        {
            throw new CliException(e.Message);
        }
        using var model = result.Model;
        WriteTables(dir, result.Trials);
        var saved = ModelFolder.SaveModel(dir, mlContext, model, view.Schema);
        try
        {
            ModelFolder.Export(dir, model, train, options.MinRating, c.Get(f.TopK));
            Report(c, dir, train, options, result);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new CliException($"{e.Message.Split('\n')[0].TrimEnd()} — the tuned model is saved ({string.Join(", ", saved)} in {dir.Path}); " +
                $"re-export with 'mlnet-adv export --model {dir.Path} --out FILE [--topk K]'.");
        }
        return 0;
    }

    private static void WriteTables(ModelDirectory dir, IReadOnlyList<TuningTrial> trials)
    {
        AtomicFile.WriteAllBytes(Path.Combine(dir.Path, "trials.md"), System.Text.Encoding.UTF8.GetBytes(TrialTable.Markdown(trials)));
        AtomicFile.WriteAllBytes(Path.Combine(dir.Path, "trials.tsv"), System.Text.Encoding.UTF8.GetBytes(TrialTable.Tsv(trials)));
    }

    private static void Report(CommandContext c, ModelDirectory dir, InteractionTable train, TuningOptions options, TuningResult result)
    {
        var best = result.Best;
        var defaults = result.DefaultsTrials.ToArray();
        var bestDefaults = TrialTable.Best(defaults.Where(d => d.Error is null));
        var training = result.Model.Training;
        var report = new TuneReport(
            Data: new TuneData(train.Source, train.Count, options.MinRating, options.ValidationFraction),
            Trainer: best.Trainer, Options: ModelFolder.OptionsSummary(result.BestOptions), Seed: options.Seed,
            Winner: best, DefaultsTrials: defaults,
            Search: new TuneSearch(options.Strategy == TuningStrategy.SuccessiveHalving ? "successive-halving" : "random", options.RungEpochs(), options.Eta, result.Trials.Count,
                result.EpochsTrained, result.StopReason, result.SearchSeconds, options.TimeBudget?.TotalMinutes, options.MaxTrials),
            Shipped: $"refit on all {train.Count} rows: selected epoch {training.SelectedEpoch} of {training.History.Count} replayed (validation NDCG@10 {best.ValidationNdcg:F4} on the held-out split)");
        Reports.WriteJson(dir.Metrics, report);
        c.Out.WriteLine($"search ended ({result.StopReason}) after {result.Trials.Count} trials, {result.EpochsTrained} epochs, {result.SearchSeconds:F0}s");
        if (bestDefaults is not null) c.Out.WriteLine($"best defaults: {bestDefaults.Trainer} validation NDCG@10 {bestDefaults.ValidationNdcg:F4}");
        c.Out.WriteLine($"winner: {best.Key} {best.Trainer} validation NDCG@10 {best.ValidationNdcg:F4}; {report.Shipped}");
        bool purchaseVector = model(result) is Models.CfganModel { Orientation: Models.CfganOrientation.UserBased };
        c.Out.WriteLine($"wrote {dir.Path}: model.zip model.bin scorer.onnx topk.onnx {(purchaseVector ? "purchase-vector.onnx " : "")}{(result.Model.Checkpoint is null ? "" : "checkpoint.bin ")}train-positives.tsv metrics.json trials.json trials.md trials.tsv");

        static Models.IRecommenderModel model(TuningResult r) => r.Model.Model;
    }

    /// <summary>One line per trial: trial i/n, its score, the best so far and the time left.</summary>
    private sealed class LineProgress(TextWriter output) : IProgress<TuningProgress>
    {
        public void Report(TuningProgress value) => output.WriteLine(value.ToString());
    }

    private sealed record TuneData(string Source, int TrainRows, float? MinRating, double ValidationFraction);

    private sealed record TuneSearch(string Strategy, IReadOnlyList<int> RungEpochs, int Eta, int Trials, long EpochsTrained, string StopReason, double SearchSeconds,
        double? BudgetMinutes, int? MaxTrials);

    /// <summary>metrics.json of a tuned model: the winner's options and trial, the defaults' trials, the search, what is shipped.</summary>
    private sealed record TuneReport(TuneData Data, string Trainer, IReadOnlyDictionary<string, object?> Options, int Seed, TuningTrial Winner,
        IReadOnlyList<TuningTrial> DefaultsTrials, TuneSearch Search, string Shipped);
}
