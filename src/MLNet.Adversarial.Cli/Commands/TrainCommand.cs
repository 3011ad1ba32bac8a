using System.CommandLine;
using System.Diagnostics;
using Microsoft.ML;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Evaluation;
using MLNet.Adversarial.Models;
using MLNet.Adversarial.Onnx;
using MLNet.Adversarial.Serving;
using MLNet.Adversarial.Trainers;

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
        public readonly Option<double> ValidationFraction = new("--validation-fraction") { Description = "Per-user share of the TRAIN positives held out for model selection and early stopping (0: none).", DefaultValueFactory = _ => 0 };
        public readonly Option<int> TopK = new("--topk") { Description = "K of the exported topk.onnx.", DefaultValueFactory = _ => 20 };
        public readonly Option<int> Threads = new("--threads") { Description = "libtorch intra-op threads while training. Small batches run fastest on 1.", DefaultValueFactory = _ => 1 };
        public readonly Option<string?> CheckpointDir = new("--checkpoint-dir") { Description = "Write a training checkpoint (checkpoint.bin, atomically) into DIR every --checkpoint-every epochs.", HelpName = "DIR" };
        public readonly Option<int> CheckpointEvery = new("--checkpoint-every") { Description = "Epochs between checkpoints.", DefaultValueFactory = _ => 1, HelpName = "N" };
        public readonly Option<string?> Resume = new("--resume") { Description = "Continue from DIR/checkpoint.bin (same data, options and seed as the interrupted run); checkpoints keep going to DIR unless --checkpoint-dir says otherwise.", HelpName = "DIR" };
        public readonly PrivacyFlags Privacy = new();
        public readonly PrivacyFlags.Training PrivacyTraining = new();
        public readonly TextFlags Text = new();
        public readonly Option<string> OutDir = new("--out") { Description = "Output folder.", Required = true, HelpName = "DIR" };
    }

    public static Command Create() => Create(new Flags());

    private static Command Create(Flags f)
    {
        var command = new Command("train", "Train BPR, APR, IRGAN or CFGAN (hybrid id + text with --item-text) and write model.zip, model.bin, scorer.onnx, topk.onnx, checkpoint.bin and metrics.json (CFGAN: purchase-vector.onnx, no checkpoint).")
        {
            f.TrainFile, f.TestFile, f.Seed, f.ValidationFraction, f.TopK, f.Threads, f.CheckpointDir, f.CheckpointEvery, f.Resume, f.Privacy.Sensitive, f.Privacy.Bands, f.Privacy.Folds, f.OutDir,
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
        bool unsupported = c.Get(f.Resume) is not null || c.Get(f.CheckpointDir) is not null || c.Get(f.Privacy.Sensitive) is not null || c.Get(f.Text.ItemText) is not null;
        if (unsupported && (f.Model.IsIrgan(c) || f.Model.IsCfgan(c)))
            throw new CliException($"--trainer {c.Get(f.Model.Trainer)} does not support --resume, --checkpoint-dir, --sensitive or --item-text.");
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
        if (options is FactorizationTrainerOptions factorization)
        {
            factorization.CheckpointDirectory = c.Get(f.CheckpointDir) ?? resumeDir;
            factorization.CheckpointEvery = c.Get(f.CheckpointEvery);
            if (f.Privacy.Load(c) is { } sensitive) factorization.Privacy = f.PrivacyTraining.Create(c, sensitive);
        }
        if (options is AprTrainer.Options apr) apr.ResumeFrom = resumeFrom;
        options.Validate();
        return options;
    }

    private static int Run(CommandContext c, Flags f)
    {
        var dir = new ModelDirectory(c.Get(f.OutDir));
        int seed = c.Get(f.Seed);
        double validationFraction = c.Get(f.ValidationFraction);
        if (!(validationFraction >= 0 && validationFraction < 1)) throw new CliException("--validation-fraction must be in [0, 1).");
        var options = Options(c, f);
        var resumeFrom = (options as AprTrainer.Options)?.ResumeFrom;
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

        var (train, test, dataName) = LoadData(c, f, seed, minRating);
        var fit = train;
        InteractionTable? validation = null;
        if (validationFraction > 0)
            (fit, validation) = HoldoutSplit.PerUser(train, validationFraction, unchecked(seed + 1), minRating);
        c.Out.WriteLine($"data: {dataName}; train {train.Count} rows, test {test.Count} rows" +
            (validation is null ? "" : $"; {validation.Count} train rows held out for validation"));
        if (resumeFrom is not null) c.Out.WriteLine($"resuming after epoch {resumeFrom.Epoch} from {c.Get(f.Resume)}");

        options.RatingColumnName = train.Ratings is null ? null : InteractionDataView.Columns.Rating;
        options.ValidationData = validation is null ? null : new InteractionDataView(validation);

        var mlContext = new MLContext(seed);
        var view = new InteractionDataView(fit);
        // Ctrl+C stops training at the next batch; the checkpoints written so far stay valid for --resume.
        using var cancel = new CancellationTokenSource();
        options.CancellationToken = cancel.Token;
        bool apr = f.Model.IsApr(c), irgan = f.Model.IsIrgan(c), cfgan = f.Model.IsCfgan(c);
        IEstimator<RecommenderTransformer> trainer = options switch
        {
            IrganTrainer.Options o => mlContext.Adversarial().Trainers.Irgan(o),
            CfganTrainer.Options o => mlContext.Adversarial().Trainers.Cfgan(o),
            AprTrainer.Options o => apr ? mlContext.Adversarial().Trainers.Apr(o) : mlContext.Adversarial().Trainers.Bpr(o),
            _ => throw new InvalidOperationException($"no trainer for {options.GetType().Name}"),
        };
        var clock = Stopwatch.StartNew();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        RecommenderTransformer transformer;
        try
        {
            transformer = trainer.Fit(view);
        }
        catch (OperationCanceledException)
        {
            throw new CliException(factorization?.CheckpointDirectory is { } checkpoints
                ? $"training cancelled; continue with --resume {checkpoints}"
                : "training cancelled (use --checkpoint-dir DIR to be able to resume)");
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
        using var _ = transformer;
        clock.Stop();
        var history = transformer.Training.History;
        double epochSeconds = history.Sum(h => h.Seconds);
        double pairsPerSecond = epochSeconds > 0 ? history.Sum(h => (double)h.Pairs) / epochSeconds : 0;

        Directory.CreateDirectory(dir.Path);
        // Every file goes through a temporary file and a rename: a killed process never leaves a half-written one.
        using (var zip = new MemoryStream())
        {
            mlContext.Model.Save(transformer, view.Schema, zip);
            AtomicFile.WriteAllBytes(dir.ModelZip, zip.ToArray());
        }
        AtomicFile.Write(dir.ModelBin, transformer.Model.Save);
        transformer.SaveScorerOnnx(dir.ScorerOnnx);
        if (transformer.Checkpoint is not null) transformer.SaveCheckpoint(dir.Checkpoint);
        // All training positives (validation rows included) are "seen": re-export top-K so that none is recommended.
        ModelDirectory.WritePositives(dir.TrainingPositives, train, minRating);
        var (kind, hyper) = dir.ReadExportMetadata();
        var topKOptions = new TopKExportOptions
        {
            ModelKind = kind, HyperParameters = hyper, K = options.TopK, ExcludeTrainingItems = true,
            TrainingData = dir.LoadTrainingPositives(transformer.Model),
        };
        AtomicFile.WriteAllBytes(dir.TopKOnnx, transformer.Model.ExportTopK(topKOptions));
        // User-based CFGAN also serves users it has never seen, from their purchase vector.
        var userBasedCfgan = transformer.Model is CfganModel { Orientation: CfganOrientation.UserBased } m ? m : null;
        if (userBasedCfgan is not null) AtomicFile.WriteAllBytes(dir.PurchaseVectorOnnx, userBasedCfgan.ExportPurchaseVectorScorer(topKOptions));

        var split = TrainTestSplit.FromTables(train, test, minRating);
        var evaluator = new RankingEvaluator(new RankingEvaluator.Options { Ks = Ks });
        var model = evaluator.Evaluate(new RecommenderModelScorer(transformer.Model, split.Train.Users, split.Train.Items), split.Train, split.Test);
        var pop = evaluator.Evaluate(new ItemPopularity(split.Train), split.Train, split.Test);

        var report = new TrainReport(
            Data: new DataSummary(dataName, train.Count, test.Count, split.Train.Users.Count, split.Train.Items.Count, split.Train.Count, split.Test.Count, validation?.Count ?? 0),
            Trainer: irgan ? "irgan" : cfgan ? "cfgan" : (itemText is null ? "" : "hybrid-") + (apr ? "apr" : "bpr"),
            Options: Summary(HyperParameterSet.For(options.GetType()).Summary(options)),
            Seed: seed,
            ValidationFraction: validationFraction,
            TopK: options.TopK,
            SelectedEpoch: transformer.Training.SelectedEpoch,
            EpochsRun: history.Count,
            TrainingSeconds: clock.Elapsed.TotalSeconds,
            PairsPerSecond: pairsPerSecond,
            Model: Reports.ToDto(model),
            ItemPop: Reports.ToDto(pop),
            History: history) { ItemText = itemText?.Name, UserText = userText?.Name };
        if (sensitive is not null)
        {
            // Audit what is shipped: the user table inside scorer.onnx.
            var audit = f.Privacy.Evaluator(c, seed).Evaluate(OnnxUserTable.Read(dir.ScorerOnnx), sensitive);
            report = report with { Privacy = audit };
        }
        Reports.WriteJson(dir.Metrics, report);

        c.Out.WriteLine($"trained {report.Trainer} in {clock.Elapsed.TotalSeconds:F1}s ({pairsPerSecond / 1e6:F2}M pairs/s); selected epoch {report.SelectedEpoch} of {history.Count}");
        c.Out.WriteLine($"test: {model.UserCount} users, full ranking over {split.Test.Items.Count} items");
        Reports.WriteTable(c.Out, [(report.Trainer, model), ("ItemPop", pop)]);
        if (report.Privacy is not null) PrivacyFlags.WriteTable(c.Out, report.Privacy);
        c.Out.WriteLine($"wrote {dir.Path}: model.zip model.bin scorer.onnx topk.onnx {(userBasedCfgan is not null ? "purchase-vector.onnx " : "")}{(cfgan ? "" : "checkpoint.bin ")}train-positives.tsv metrics.json");
        return 0;
    }

    private static (InteractionTable Train, InteractionTable Test, string Name) LoadData(CommandContext c, Flags f, int seed, float? minRating)
    {
        var trainPath = c.Get(f.TrainFile);
        var testPath = c.Get(f.TestFile);
        if (trainPath is null)
        {
            if (testPath is not null) throw new CliException("--test needs --train.");
            if (minRating is not null) throw new CliException("--min-rating needs --train: the synthetic data set has no ratings.");
            var synthetic = SyntheticInteractions.GenerateSplit(new SyntheticInteractions.Options { Seed = seed });
            return (synthetic.Train, synthetic.Holdout, $"synthetic (seed {seed}, 20% per-user test holdout)");
        }
        var train = InteractionFileReader.Read(trainPath);
        if (minRating is not null && train.Ratings is null) throw new CliException($"--min-rating needs ratings, but {train.Source} has none.");
        if (testPath is not null) return (train, InteractionFileReader.Read(testPath), $"{train.Source} / {Path.GetFileName(testPath)}");
        var split = HoldoutSplit.PerUser(train, 0.2, seed, minRating);
        return (split.Train, split.Holdout, $"{train.Source} (20% per-user test holdout)");
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

    /// <summary>The trainer's declared hyper-parameters (a nested object per group, e.g. privacy), camel-cased like the rest of metrics.json.</summary>
    private static IReadOnlyDictionary<string, object?> Summary(IReadOnlyDictionary<string, object?> summary) =>
        summary.ToDictionary(e => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(e.Key),
            e => e.Value is IReadOnlyDictionary<string, object?> group ? Summary(group) : e.Value);

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
    }
}
