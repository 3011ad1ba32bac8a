using System.CommandLine;
using System.Diagnostics;
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
        public readonly ModelFlags Model = new("apr", "bpr", "apr", "irgan", "cfgan");
        public readonly Option<string?> TrainFile = CliSupport.File("--train", "Training interactions 'user item [rating [timestamp]]' (default: the built-in synthetic data set).");
        public readonly Option<string?> TestFile = CliSupport.File("--test", "Test interactions (default with --train: a seeded 20% per-user holdout of the training file).");
        public readonly Option<float?> MinRating = CliSupport.MinRating();
        public readonly Option<int> Seed = new("--seed") { Description = "Random seed (data split, initialisation, sampling).", DefaultValueFactory = _ => 42 };
        public readonly Option<string> Sampler = new Option<string>("--sampler") { Description = "Negative sampler: uniform or dns (dynamic).", DefaultValueFactory = _ => "uniform" }.AcceptOnlyFromAmong("uniform", "dns");
        public readonly Option<double> ValidationFraction = new("--validation-fraction") { Description = "Per-user share of the TRAIN positives held out for model selection, the phase switches and early stopping; the model is then refit on all TRAIN rows (0: none, a fixed schedule of --epochs).", DefaultValueFactory = _ => RecommenderTrainerOptions.Defaults.ValidationFraction };
        public readonly Option<int> Patience = new("--patience") { Description = "With --validation-fraction: stop after N validated epochs without improvement (0: never; IRGAN: in the BPR pre-training and in the game, each).", DefaultValueFactory = _ => RecommenderTrainerOptions.Defaults.EarlyStoppingPatience, HelpName = "N" };
        public readonly Option<int> TopK = new("--topk") { Description = "K of the exported topk.onnx.", DefaultValueFactory = _ => 20 };
        public readonly Option<int> Threads = new("--threads") { Description = "libtorch intra-op threads while training. Small batches run fastest on 1.", DefaultValueFactory = _ => 1 };
        public readonly Option<string?> CheckpointDir = new("--checkpoint-dir") { Description = "Write a training checkpoint (checkpoint.bin, atomically) into DIR every --checkpoint-every epochs.", HelpName = "DIR" };
        public readonly Option<int> CheckpointEvery = new("--checkpoint-every") { Description = "Epochs between checkpoints.", DefaultValueFactory = _ => 1, HelpName = "N" };
        public readonly Option<string?> Resume = new("--resume") { Description = "Continue from DIR/checkpoint.bin (same data, options and seed as the interrupted run); checkpoints keep going to DIR unless --checkpoint-dir says otherwise.", HelpName = "DIR" };
        public readonly PrivacyFlags Privacy = new();
        public readonly PrivacyFlags.Training PrivacyTraining = new();
        public readonly TextFlags Text = new();
        public readonly IrganFlags Irgan = new();
        public readonly CfganFlags Cfgan = new();
        public readonly Option<string> OutDir = new("--out") { Description = "Output folder.", Required = true, HelpName = "DIR" };
    }

    public static Command Create()
    {
        var f = new Flags();
        var command = new Command("train", "Train BPR, APR, IRGAN or CFGAN (hybrid id + text with --item-text) and write model.zip, model.bin, scorer.onnx, topk.onnx, checkpoint.bin and metrics.json (user-based CFGAN also purchase-vector.onnx).")
        {
            f.TrainFile, f.TestFile, f.MinRating, f.Seed, f.Sampler, f.ValidationFraction, f.Patience, f.TopK, f.Threads, f.CheckpointDir, f.CheckpointEvery, f.Resume, f.Privacy.Sensitive, f.Privacy.Bands, f.Privacy.Folds, f.OutDir,
        };
        foreach (var option in f.Model.All.Concat(f.PrivacyTraining.All).Concat(f.Text.All).Concat(f.Irgan.All).Concat(f.Cfgan.All)) command.Options.Add(option);
        command.SetHandler(c => Run(c, f));
        return command;
    }

    private static int Run(CommandContext c, Flags f)
    {
        var dir = new ModelDirectory(c.Get(f.OutDir));
        int seed = c.Get(f.Seed);
        float? minRating = c.Get(f.MinRating);
        double validationFraction = c.Get(f.ValidationFraction);
        if (!(validationFraction >= 0 && validationFraction < 1)) throw new CliException("--validation-fraction must be in [0, 1).");
        if (c.Get(f.Threads) <= 0) throw new CliException("--threads must be positive.");
        if (c.Get(f.CheckpointEvery) <= 0) throw new CliException("--checkpoint-every must be positive.");
        var resumeDir = c.Get(f.Resume);
        bool irgan = f.Model.IsIrgan(c), cfgan = c.Get(f.Model.Trainer) == "cfgan";
        if (cfgan && (c.Get(f.Privacy.Sensitive) is not null || c.Get(f.Text.ItemText) is not null))
            throw new CliException("--trainer cfgan does not support --sensitive or --item-text.");
        if (irgan && (c.Get(f.Privacy.Sensitive) is not null || c.Get(f.Text.ItemText) is not null))
            throw new CliException("--trainer irgan does not support --sensitive or --item-text.");
        TrainingCheckpoint? resumeFrom = null;
        if (resumeDir is not null)
        {
            if (!Directory.Exists(resumeDir)) throw new CliException($"--resume: folder '{resumeDir}' does not exist.");
            var checkpointFile = Path.Combine(resumeDir, FactorizationTrainerOptions.CheckpointFileName);
            if (!File.Exists(checkpointFile)) throw new CliException($"--resume: '{checkpointFile}' is missing; was the run started with --checkpoint-dir '{resumeDir}'?");
            resumeFrom = TrainingCheckpoint.Load(checkpointFile);
        }

        bool apr = f.Model.IsApr(c);
        var options = f.Model.Create(c, minRating);
        options.NegativeSampler = c.Get(f.Sampler) == "dns" ? NegativeSamplerKind.Dynamic : NegativeSamplerKind.Uniform;
        options.Seed = seed;
        options.TopK = c.Get(f.TopK);
        options.EarlyStoppingPatience = c.Get(f.Patience);
        options.NumberOfThreads = c.Get(f.Threads);
        options.Progress = new LineProgress(c.Out);
        options.CheckpointDirectory = c.Get(f.CheckpointDir) ?? resumeDir;
        options.CheckpointEvery = c.Get(f.CheckpointEvery);
        options.ResumeFrom = resumeFrom;
        var sensitive = f.Privacy.Load(c);
        if (sensitive is not null) options.Privacy = f.PrivacyTraining.Create(c, sensitive);
        options.TextProjectionL2 = c.Get(f.Text.ProjectionL2);
        options.Validate(); // before the data is read: bad flags fail fast
        if (irgan) f.Irgan.Create(c, options).Validate();
        if (cfgan) CfganOptions(c, f, options).Validate();
        var embedClock = Stopwatch.StartNew();
        var (itemText, userText) = f.Text.Load(c);
        if (itemText is not null)
        {
            f.Text.Apply(c, options, itemText, userText);
            options.Validate();
            c.Out.WriteLine($"item text: {itemText.Count} texts from {itemText.Name} embedded ({itemText.Dimension} dimensions) in {embedClock.Elapsed.TotalSeconds:F1}s" +
                (userText is null ? "" : $"; user text: {userText.Count} from {userText.Name}"));
        }

        var (train, test, dataName) = LoadData(c, f, seed, minRating);
        var fit = train;
        // The trainer holds the validation rows out itself (ValidationFraction, the same seeded split) and refits on all rows.
        options.ValidationFraction = validationFraction;
        InteractionTable? validation = validationFraction > 0 ? HoldoutSplit.PerUser(train, validationFraction, unchecked(seed + 1), minRating).Holdout : null;
        c.Out.WriteLine($"data: {dataName}; train {train.Count} rows, test {test.Count} rows" +
            (validation is null ? "" : $"; {validation.Count} train rows held out for validation, then a refit on all of them"));
        if (resumeFrom is not null) c.Out.WriteLine($"resuming after epoch {resumeFrom.Epoch} from {resumeDir}");

        options.RatingColumnName = train.Ratings is null ? null : InteractionDataView.Columns.Rating;

        var mlContext = new MLContext(seed);
        var view = new InteractionDataView(fit);
        // Ctrl+C stops training at the next batch; the checkpoints written so far stay valid for --resume.
        using var cancel = new CancellationTokenSource();
        options.CancellationToken = cancel.Token;
        var irganOptions = irgan ? WithCheckpoints(f.Irgan.Create(c, options), options) : null;
        var cfganOptions = cfgan ? WithCheckpoints(CfganOptions(c, f, options), options) : null;
        IEstimator<RecommenderTransformer> trainer = irganOptions is not null ? mlContext.Adversarial().Trainers.Irgan(irganOptions)
            : cfganOptions is not null ? mlContext.Adversarial().Trainers.Cfgan(cfganOptions)
            : apr ? mlContext.Adversarial().Trainers.Apr(options) : mlContext.Adversarial().Trainers.Bpr(options);
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
            throw new CliException(options.CheckpointDirectory is { } checkpoints
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
            Trainer: irgan ? "irgan" : cfgan ? "cfgan" : (options.ItemText is null ? "" : "hybrid-") + (apr ? "apr" : "bpr"),
            Options: new OptionsSummary(options.EmbeddingDimension, options.Epochs, options.BatchSize, options.LearningRate, options.L2Regularization,
                options.Epsilon, options.AdversarialWeight, options.AdversarialStartEpoch ?? transformer.Training.PhaseSwitchEpochs.FirstOrDefault(), c.Get(f.Sampler), minRating, seed, validationFraction, options.TopK),
            SelectedEpoch: transformer.Training.SelectedEpoch,
            EpochsRun: history.Count,
            TrainingSeconds: clock.Elapsed.TotalSeconds,
            PairsPerSecond: pairsPerSecond,
            Model: Reports.ToDto(model),
            ItemPop: Reports.ToDto(pop),
            // After a refit, the validated run's epochs (with their validation metric) are the informative history.
            History: transformer.Training.ModelSelection?.History ?? history) { ItemText = options.ItemText?.Name, UserText = options.UserText?.Name, Irgan = irganOptions is null ? null : IrganSummary.From(irganOptions),
                Cfgan = cfganOptions is null ? null : CfganSummary.From(cfganOptions) };
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

    /// <summary>The GAN trainers' options take the validation split, checkpoints and resume state from the common flags.</summary>
    private static T WithCheckpoints<T>(T options, RecommenderTrainerOptions common) where T : RecommenderTrainerOptions
    {
        options.ValidationFraction = common.ValidationFraction;
        options.CheckpointDirectory = common.CheckpointDirectory;
        options.CheckpointEvery = common.CheckpointEvery;
        options.ResumeFrom = common.ResumeFrom;
        return options;
    }

    private static CfganTrainer.Options CfganOptions(CommandContext c, Flags f, RecommenderTrainerOptions common) =>
        f.Cfgan.Create(c, common, f.Model.Epochs, f.Patience, f.Irgan.GeneratorLearningRate, f.Irgan.DiscriminatorLearningRate);

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

    private sealed record OptionsSummary(int Dim, int Epochs, int Batch, double Lr, double L2, double Epsilon, double AdvWeight, int AdvStart,
        string Sampler, float? MinRating, int Seed, double ValidationFraction, int TopK);

    private sealed record TrainReport(DataSummary Data, string Trainer, OptionsSummary Options, int SelectedEpoch, int EpochsRun,
        double TrainingSeconds, double PairsPerSecond, Reports.MetricsDto Model, Reports.MetricsDto ItemPop, IReadOnlyList<TrainingEpochReport> History)
    {
        /// <summary>The attackers' results on the exported user table, with --sensitive.</summary>
        public PrivacyResult? Privacy { get; init; }

        /// <summary>The item text file of a hybrid model (--item-text).</summary>
        public string? ItemText { get; init; }

        /// <summary>The user text file of a hybrid model (--user-text).</summary>
        public string? UserText { get; init; }

        /// <summary>The game's settings, with --trainer irgan (Options then describe G's BPR pre-training).</summary>
        public IrganSummary? Irgan { get; init; }

        /// <summary>The game's settings, with --trainer cfgan (Options then do not apply).</summary>
        public CfganSummary? Cfgan { get; init; }
    }

    private sealed record CfganSummary(CfganOrientation Orientation, int Rounds, int GeneratorHidden, int DiscriminatorHidden, double GeneratorLr, double DiscriminatorLr,
        int GeneratorSteps, int DiscriminatorSteps, double PartialMaskingRatio, double ZeroReconstructionRatio, double ZeroReconstructionWeight, double ConditionDropout, int GeneratorBatch, int DiscriminatorBatch,
        double GeneratorAveraging, int Patience)
    {
        public static CfganSummary From(CfganTrainer.Options o) => new(o.Orientation, o.Epochs, o.GeneratorHiddenSize, o.DiscriminatorHiddenSize, o.GeneratorLearningRate,
            o.DiscriminatorLearningRate, o.GeneratorSteps, o.DiscriminatorSteps, o.PartialMaskingRatio, o.ZeroReconstructionRatio, o.ZeroReconstructionWeight,
            o.ConditionDropout, o.GeneratorBatchSize, o.DiscriminatorBatchSize, o.GeneratorAveragingDecay, o.EarlyStoppingPatience);
    }

    private sealed record IrganSummary(int GanEpochs, int DiscriminatorEpochs, int GeneratorEpochs, double GeneratorLr, double DiscriminatorLr,
        double Temperature, double DiscriminatorTemperature, int GeneratorSamplesPerPositive, double Mix, ImportanceSamplingMix MixWith, string Served)
    {
        public static IrganSummary From(IrganTrainer.Options o) => new(o.AdversarialEpochs, o.DiscriminatorEpochs, o.GeneratorEpochs, o.GeneratorLearningRate,
            o.DiscriminatorLearningRate, o.Temperature, o.DiscriminatorSamplingTemperature, o.GeneratorSamplesPerPositive, o.ImportanceMixWeight, o.ImportanceMix,
            o.ServeDiscriminator ? "discriminator" : "generator");
    }
}
