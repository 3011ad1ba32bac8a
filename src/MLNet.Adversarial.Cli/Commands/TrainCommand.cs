using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.ML;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Evaluation;
using MLNet.Adversarial.Models;
using MLNet.Adversarial.Onnx;
using MLNet.Adversarial.Serving;
using MLNet.Adversarial.Trainers;
using MLNet.Adversarial.Training;

namespace MLNet.Adversarial.Cli.Commands;

/// <summary><c>train</c>: fit BPR, APR, IRGAN or CFGAN, write the model files and full-ranking metrics against ItemPop.</summary>
internal static class TrainCommand
{
    /// <summary>Cut-offs of the test metrics in metrics.json.</summary>
    public static readonly int[] Ks = [3, 5, 10, 20];

    /// <summary>The flags, created per command tree (an option belongs to one parent).</summary>
    private sealed class Flags
    {
        /// <summary>--trainer and every trainer's hyper-parameter flags, generated from the options' declarations.</summary>
        public readonly ModelFlags Model = new("apr", "bpr", "apr", "irgan", "cfgan");
        public readonly Option<string?> TrainFile = CliSupport.File("--train", "Training interactions 'user item [rating [timestamp]]' (default: the built-in synthetic data set).");
        public readonly Option<string?> TestFile = CliSupport.File("--test", "Test interactions (default with --train: a seeded 20% per-user holdout of the training file).");
        public readonly Option<int> Seed = new("--seed") { Description = "Random seed (data split, initialisation, sampling).", DefaultValueFactory = _ => 42 };
        public readonly Option<int> TopK = new("--topk") { Description = "K of the exported topk.onnx.", DefaultValueFactory = _ => 20 };
        public readonly Option<int> Threads = new("--threads") { Description = "libtorch intra-op threads while training. Small batches run fastest on 1.", DefaultValueFactory = _ => 1 };
        public readonly Option<string?> CheckpointDir = new("--checkpoint-dir") { Description = "Write a training checkpoint (checkpoint.bin, atomically) into DIR every --checkpoint-every epochs.", HelpName = "DIR" };
        public readonly Option<int> CheckpointEvery = new("--checkpoint-every") { Description = "Epochs between checkpoints.", DefaultValueFactory = _ => 1, HelpName = "N" };
        public readonly Option<string?> Resume = new("--resume") { Description = "Continue from DIR/checkpoint.bin (same data, options and seed as the interrupted run); checkpoints keep going to DIR unless --checkpoint-dir says otherwise.", HelpName = "DIR" };
        public readonly PrivacyFlags Privacy = new();
        public readonly PrivacyFlags.Training PrivacyTraining = new();
        public readonly TextFlags Text = new();
        public readonly Option<bool> NoRefit = new("--no-refit") { Description = "Without --test: ship the holdout model (trained on 80% of each user's rows) instead of refitting on all rows." };
        public readonly Option<string> OutDir = new("--out") { Description = "Output folder.", Required = true, HelpName = "DIR" };
    }

    public static Command Create() => Create(new Flags());

    private static Command Create(Flags f)
    {
        var command = new Command("train", "Train BPR, APR, IRGAN or CFGAN (hybrid id + text with --item-text) and write model.zip, model.bin, scorer.onnx, topk.onnx, checkpoint.bin and metrics.json (user-based CFGAN also purchase-vector.onnx).")
        {
            f.TrainFile, f.TestFile, f.Seed, f.TopK, f.Threads, f.CheckpointDir, f.CheckpointEvery, f.Resume, f.Privacy.Sensitive, f.Privacy.Bands, f.Privacy.Folds, f.NoRefit, f.OutDir,
        };
        command.AddOptions(f.Model.All.Concat(f.PrivacyTraining.All).Concat(f.Text.All));
        command.SetHandler(c => Run(c, f));
        return command;
    }

    /// <summary>The trainer options <c>train</c> would train with for <paramref name="args"/> (without --item-text's embeddings).</summary>
    internal static RecommenderTrainerOptions OptionsFromCommandLine(params string[] args)
    {
        var f = new Flags();
        var parse = Create(f).Parse(["train", .. args]);
        if (parse.Errors.Count > 0) throw new CliException(parse.Errors[0].Message);
        return Options(new CommandContext(parse, TextWriter.Null, TextWriter.Null), f);
    }

    /// <summary>The chosen trainer's options from the flags, validated before any data is read (bad flags fail fast).</summary>
    private static RecommenderTrainerOptions Options(CommandContext c, Flags f)
    {
        if (c.Get(f.Threads) <= 0) throw new CliException("--threads must be positive.");
        if (c.Get(f.CheckpointEvery) <= 0) throw new CliException("--checkpoint-every must be positive.");
        bool unsupported = c.Get(f.Privacy.Sensitive) is not null || c.Get(f.Text.ItemText) is not null;
        if (unsupported && (f.Model.IsIrgan(c) || f.Model.IsCfgan(c)))
            throw new CliException($"--trainer {c.Get(f.Model.Trainer)} does not support --sensitive or --item-text.");
        var resumeDir = c.Get(f.Resume);
        TrainingCheckpoint? resumeFrom = null;
        if (resumeDir is not null)
        {
            if (!Directory.Exists(resumeDir)) throw new CliException($"--resume: folder '{resumeDir}' does not exist.");
            var checkpointFile = Path.Combine(resumeDir, FactorizationTrainerOptions.CheckpointFileName);
            if (!File.Exists(checkpointFile)) throw new CliException($"--resume: '{checkpointFile}' is missing; was the run started with --checkpoint-dir '{resumeDir}'?");
            resumeFrom = TrainingCheckpoint.Load(checkpointFile);
        }
        var options = f.Model.CreateAny(c);
        options.Seed = c.Get(f.Seed);
        options.TopK = c.Get(f.TopK);
        options.NumberOfThreads = c.Get(f.Threads);
        options.Progress = new LineProgress(c.Out);
        options.CheckpointDirectory = c.Get(f.CheckpointDir) ?? resumeDir;
        options.CheckpointEvery = c.Get(f.CheckpointEvery);
        options.ResumeFrom = resumeFrom;
        if (options is FactorizationTrainerOptions factorization && f.Privacy.Load(c) is { } sensitive) factorization.Privacy = f.PrivacyTraining.Create(c, sensitive);
        options.Validate(); // before the data is read: bad flags fail fast
        TrainingSizeLimits.Check(options);
        return options;
    }

    private static int Run(CommandContext c, Flags f)
    {
        var dir = new ModelDirectory(c.Get(f.OutDir));
        int seed = c.Get(f.Seed);
        var options = Options(c, f);
        var resumeFrom = options.ResumeFrom;
        float? minRating = options.MinRating;
        var factorization = options as FactorizationTrainerOptions;
        var sensitive = factorization?.Privacy?.SensitiveAttributes;
        var embedClock = Stopwatch.StartNew();
        var (itemText, userText) = f.Text.Load(c);
        if (itemText is not null)
        {
            TextFlags.Apply(factorization!, itemText, userText);
            options.Validate();
            c.Out.WriteLine($"item text: {itemText.Count} texts from {itemText.Name} embedded ({itemText.Dimension} dimensions) in {embedClock.Elapsed.TotalSeconds:F1}s" +
                (userText is null ? "" : $"; user text: {userText.Count} from {userText.Name}"));
        }

        var (train, test, dataName, all) = LoadData(c, f, seed, minRating);
        bool noRefit = c.Get(f.NoRefit);
        if (noRefit && all is null) throw new CliException("--no-refit applies only without --test: with --test the shipped model is the one evaluated.");
        bool refit = all is not null && !noRefit;
        if (resumeFrom is not null) c.Out.WriteLine($"resuming after epoch {resumeFrom.Epoch} from {c.Get(f.Resume)}");
        options.RatingColumnName = train.Ratings is null ? null : InteractionDataView.Columns.Rating;
        var mlContext = new MLContext(seed);
        var checkpointDirectory = options.CheckpointDirectory;
        bool irgan = f.Model.IsIrgan(c), cfgan = f.Model.IsCfgan(c), apr = f.Model.IsApr(c);

        // With refit, the holdout model is only evaluated: checkpoints and --resume belong to the shipped model's run.
        if (refit) c.Out.WriteLine($"training the holdout model on {train.Count} of {all!.Count} rows (its test metrics go to metrics.json); then refitting on all rows");
        var evaluated = Fit(c, f, options, mlContext, train, seed, minRating, dataName, test.Count, withCheckpoints: !refit, checkpointDirectory, resumeFrom);
        Evaluation? evaluation = null;
        var shipped = evaluated;
        try
        {
            if (refit)
            {
                evaluation = Evaluate(evaluated.Transformer.Model, train, test, minRating);
                c.Out.WriteLine($"refitting on all {all!.Count} rows with the same options (the shipped model)");
                shipped = Fit(c, f, options, mlContext, all, seed, minRating, dataName, testRows: 0, withCheckpoints: true, checkpointDirectory, resumeFrom);
            }
            var shippedRows = refit ? all! : train;
            var saved = ModelFolder.SaveModel(dir, mlContext, shipped.Transformer, shipped.View.Schema);
            try
            {
                ModelFolder.Export(dir, shipped.Transformer, shippedRows, minRating, options.TopK);
                evaluation ??= Evaluate(shipped.Transformer.Model, train, test, minRating);
                Report(c, f, dir, options, sensitive, evaluated, shipped, evaluation, new ShippedModel(
                    refit, shippedRows.Count,
                    all is null ? $"trained on {dataName}, tested on the test file: the model that is shipped"
                        : $"the holdout model, trained on {train.Count} rows (80% of each user's), tested on the other {test.Count}",
                    refit ? $"refit on all {all!.Count} rows with the same options" : all is null ? "the model metrics describe" : $"the holdout model, trained on {train.Count} rows (80% of each user's): --no-refit",
                    shipped.History.Count, shipped.Transformer.Training.SelectedEpoch, shipped.Seconds), dataName, seed, minRating, irgan, cfgan, apr);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new CliException($"{e.Message.Split('\n')[0].TrimEnd()} — the trained model is saved ({string.Join(", ", saved)} in {dir.Path}); " +
                    $"re-export with 'mlnet-adv export --model {dir.Path} --out FILE [--topk K]'.");
            }
        }
        finally
        {
            evaluated.Transformer.Dispose();
            if (!ReferenceEquals(shipped, evaluated)) shipped.Transformer.Dispose();
        }
        return 0;
    }

    /// <summary>A trained transformer and what its run took.</summary>
    private sealed record FitResult(RecommenderTransformer Transformer, InteractionDataView View, int ValidationRows, double Seconds)
    {
        public IReadOnlyList<TrainingEpochReport> History => Transformer.Training.History;
    }

    /// <summary>The ranking metrics of the evaluated model and of ItemPop on the same split.</summary>
    private sealed record Evaluation(RankingMetrics Model, RankingMetrics ItemPop, TrainTestSplit Split, int TrainRows, int TestRows);

    /// <summary>What metrics.json describes and which model the folder holds.</summary>
    private sealed record ShippedModel(bool Refit, int TrainRows, string MetricsDescribe, string Shipped, int EpochsRun, int SelectedEpoch, double TrainingSeconds);

    /// <summary>
    /// Trains the configured estimator on <paramref name="rows"/> (less the per-user validation share, when asked for).
    /// Ctrl+C stops training at the next batch; the checkpoints written so far stay valid for --resume.
    /// </summary>
    private static FitResult Fit(CommandContext c, Flags f, RecommenderTrainerOptions options, MLContext mlContext, InteractionTable rows,
        int seed, float? minRating, string dataName, int testRows, bool withCheckpoints, string? checkpointDirectory, TrainingCheckpoint? resumeFrom)
    {
        // The trainer holds the validation rows out itself (ValidationFraction, seeded) and, by default, refits on all rows;
        // the split is drawn here only to say how many rows it holds.
        int validationRows = options.ValidationFraction > 0 ? HoldoutSplit.PerUser(rows, options.ValidationFraction, unchecked(seed + 1), minRating).Holdout.Count : 0;
        c.Out.WriteLine($"data: {dataName}; train {rows.Count} rows" + (testRows > 0 ? $", test {testRows} rows" : "") +
            (validationRows == 0 ? "" : $"; {validationRows} train rows held out for validation" + (options.RefitOnAllData ? ", then a refit on all of them" : "")));
        options.ValidationData = null;
        options.CheckpointDirectory = withCheckpoints ? checkpointDirectory : null;
        options.ResumeFrom = withCheckpoints ? resumeFrom : null;
        using var cancel = new CancellationTokenSource();
        options.CancellationToken = cancel.Token;
        var view = new InteractionDataView(rows);
        var trainer = mlContext.Adversarial().Trainers.For(options); // BPR: APR's options with λ = 0 (ModelFlags)
        var clock = Stopwatch.StartNew();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            return new FitResult(trainer.Fit(view), view, validationRows, clock.Elapsed.TotalSeconds);
        }
        catch (OperationCanceledException)
        {
            throw new CliException(options.CheckpointDirectory is { } checkpoints
                ? $"training cancelled; continue with --resume {checkpoints}"
                : "training cancelled (use --checkpoint-dir DIR to be able to resume)");
        }
        catch (ExternalException e)
        {
            // libtorch refuses an allocation it cannot make (a batch or layer far too large for this machine).
            throw new CliException($"training failed in libtorch: {e.Message.Split('\n')[0].TrimEnd()}; lower --batch, --g-batch, --d-batch or --dim.");
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static Evaluation Evaluate(IRecommenderModel recommender, InteractionTable train, InteractionTable test, float? minRating)
    {
        var split = TrainTestSplit.FromTables(train, test, minRating);
        var evaluator = new RankingEvaluator(new RankingEvaluator.Options { Ks = Ks });
        var model = evaluator.Evaluate(new RecommenderModelScorer(recommender, split.Train.Users, split.Train.Items), split.Train, split.Test);
        return new Evaluation(model, evaluator.Evaluate(new ItemPopularity(split.Train), split.Train, split.Test), split, train.Count, test.Count);
    }

    private static void Report(CommandContext c, Flags f, ModelDirectory dir, RecommenderTrainerOptions options, SensitiveAttributes? sensitive, FitResult evaluated, FitResult shipped,
        Evaluation evaluation, ShippedModel shippedModel, string dataName, int seed, float? minRating, bool irgan, bool cfgan, bool apr)
    {
        var history = evaluated.History;
        double epochSeconds = history.Sum(h => h.Seconds);
        double pairsPerSecond = epochSeconds > 0 ? history.Sum(h => (double)h.Pairs) / epochSeconds : 0;
        var (model, pop, split, _, _) = evaluation;
        var factorization = options as FactorizationTrainerOptions;
        var report = new TrainReport(
            Data: new DataSummary(dataName, evaluation.TrainRows, evaluation.TestRows, split.Train.Users.Count, split.Train.Items.Count, split.Train.Count, split.Test.Count, evaluated.ValidationRows),
            Trainer: irgan ? "irgan" : cfgan ? "cfgan" : (factorization?.ItemText is null ? "" : "hybrid-") + (apr ? "apr" : "bpr"),
            Options: ModelFolder.OptionsSummary(options),
            Seed: seed,
            ValidationFraction: options.ValidationFraction,
            TopK: options.TopK,
            SelectedEpoch: evaluated.Transformer.Training.SelectedEpoch,
            EpochsRun: history.Count,
            TrainingSeconds: evaluated.Seconds,
            PairsPerSecond: pairsPerSecond,
            Model: Reports.ToDto(model),
            ItemPop: Reports.ToDto(pop),
            // After a refit, the validated run's epochs (with their validation metric) are the informative history.
            History: evaluated.Transformer.Training.ModelSelection?.History ?? history)
        {
            ItemText = factorization?.ItemText?.Name, UserText = factorization?.UserText?.Name, Shipped = shippedModel,
            PhaseSwitchEpochs = evaluated.Transformer.Training.PhaseSwitchEpochs,
        };
        if (sensitive is not null)
        {
            // Audit what is shipped: the user table inside scorer.onnx.
            var audit = f.Privacy.Evaluator(c, seed).Evaluate(OnnxUserTable.Read(dir.ScorerOnnx), sensitive);
            report = report with { Privacy = audit };
        }
        Reports.WriteJson(dir.Metrics, report);

        c.Out.WriteLine($"trained {report.Trainer} in {evaluated.Seconds:F1}s ({pairsPerSecond / 1e6:F2}M pairs/s); selected epoch {report.SelectedEpoch} of {history.Count}");
        c.Out.WriteLine($"test: {model.UserCount} users, full ranking over {split.Test.Items.Count} items");
        Reports.WriteTable(c.Out, [(report.Trainer, model), ("ItemPop", pop)]);
        if (report.Privacy is not null) PrivacyFlags.WriteTable(c.Out, report.Privacy);
        c.Out.WriteLine($"metrics.json describes {shippedModel.MetricsDescribe}");
        c.Out.WriteLine(shippedModel.Refit
            ? $"shipped: the model refit on all {shippedModel.TrainRows} rows in {shipped.Seconds:F1}s (selected epoch {shippedModel.SelectedEpoch} of {shippedModel.EpochsRun}); its own test metrics are not measured"
            : $"shipped: {shippedModel.Shipped}");
        bool purchaseVector = shipped.Transformer.Model is CfganModel { Orientation: CfganOrientation.UserBased };
        c.Out.WriteLine($"wrote {dir.Path}: model.zip model.bin scorer.onnx topk.onnx {(purchaseVector ? "purchase-vector.onnx " : "")}{(shipped.Transformer.Checkpoint is null ? "" : "checkpoint.bin ")}train-positives.tsv metrics.json");
    }

    /// <summary>
    /// The training and test rows; <c>All</c> is the table the test rows were held out of (a 20% per-user holdout), or
    /// null when the test rows come from --test.
    /// </summary>
    private static (InteractionTable Train, InteractionTable Test, string Name, InteractionTable? All) LoadData(CommandContext c, Flags f, int seed, float? minRating)
    {
        var trainPath = c.Get(f.TrainFile);
        var testPath = c.Get(f.TestFile);
        if (trainPath is null)
        {
            if (testPath is not null) throw new CliException("--test needs --train.");
            if (minRating is not null) throw new CliException("--min-rating needs --train: the synthetic data set has no ratings.");
            var syntheticOptions = new SyntheticInteractions.Options { Seed = seed };
            var synthetic = SyntheticInteractions.GenerateSplit(syntheticOptions);
            return (synthetic.Train, synthetic.Holdout, $"synthetic (seed {seed}, 20% per-user test holdout)", SyntheticInteractions.Generate(syntheticOptions));
        }
        var train = InteractionFileReader.Read(trainPath);
        if (minRating is not null && train.Ratings is null) throw new CliException($"--min-rating needs ratings, but {train.Source} has none.");
        if (testPath is not null) return (train, InteractionFileReader.Read(testPath), $"{train.Source} / {Path.GetFileName(testPath)}", null);
        var split = HoldoutSplit.PerUser(train, 0.2, seed, minRating);
        return (split.Train, split.Holdout, $"{train.Source} (20% per-user test holdout)", train);
    }

    /// <summary>One line per epoch with a bar of the epochs done: readable in a terminal and in a CI log alike.</summary>
    private sealed class LineProgress(TextWriter output) : IProgress<TrainingEpochReport>
    {
        private const int Width = 20;

        public void Report(TrainingEpochReport value)
        {
            int done = value.TotalEpochs == 0 ? Width : (int)Math.Round((double)value.Epoch / value.TotalEpochs * Width);
            output.WriteLine($"[{new string('#', done)}{new string('.', Width - done)}] {value}");
        }
    }

    private sealed record DataSummary(string Source, int TrainRows, int TestRows, int Users, int Items, int TrainPositives, int TestPositives, int ValidationRows);

    /// <summary>metrics.json: <see cref="Options"/> holds every hyper-parameter of the trainer that was trained (IRGAN: its inherited ones describe G's BPR pre-training).</summary>
    private sealed record TrainReport(DataSummary Data, string Trainer, IReadOnlyDictionary<string, object?> Options, int Seed, double ValidationFraction, int TopK,
        int SelectedEpoch, int EpochsRun, double TrainingSeconds, double PairsPerSecond, Reports.MetricsDto Model, Reports.MetricsDto ItemPop, IReadOnlyList<TrainingEpochReport> History)
    {
        /// <summary>The attackers' results on the exported user table, with --sensitive.</summary>
        public PrivacyResult? Privacy { get; init; }

        /// <summary>The item text file of a hybrid model (--item-text).</summary>
        public string? ItemText { get; init; }

        /// <summary>The user text file of a hybrid model (--user-text).</summary>
        public string? UserText { get; init; }

        /// <summary>Which model the metrics describe and which one the folder holds (refit on all rows, or the holdout model).</summary>
        public ShippedModel? Shipped { get; init; }

        /// <summary>The epochs after which each later phase began (APR: the end of the BPR warm-up; IRGAN: of G's pre-training).</summary>
        public IReadOnlyList<int> PhaseSwitchEpochs { get; init; } = [];
    }
}
