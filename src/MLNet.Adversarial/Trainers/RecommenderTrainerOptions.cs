namespace MLNet.Adversarial.Trainers;

/// <summary>
/// Options every recommender trainer shares, whatever its model: the data columns, the random seed, where
/// TorchSharp trains, validation with model selection, progress and cancellation, and the serving exports.
/// </summary>
public abstract class RecommenderTrainerOptions
{
    /// <summary>Default values, as in ML.NET's <c>Defaults</c> classes.</summary>
    public static class Defaults
    {
        /// <summary>Default <see cref="UserColumnName"/>.</summary>
        public const string UserColumnName = "UserId";
        /// <summary>Default <see cref="ItemColumnName"/>.</summary>
        public const string ItemColumnName = "ItemId";
        /// <summary>Default <see cref="ScoreColumnName"/>.</summary>
        public const string ScoreColumnName = "Score";
        /// <summary>Default <see cref="ValidationK"/>.</summary>
        public const int ValidationK = 10;
        /// <summary>Default <see cref="EarlyStoppingPatience"/>.</summary>
        public const int EarlyStoppingPatience = 30;
        /// <summary>Default <see cref="TopK"/>.</summary>
        public const int TopK = 10;
        /// <summary>Default <see cref="ValidationFraction"/>.</summary>
        public const double ValidationFraction = 0.1;
        /// <summary>Default <see cref="Defense"/>.</summary>
        public const Robustness.PoisoningDefense Defense = Robustness.PoisoningDefense.None;
    }

    /// <summary>The user id column: a key column (e.g. from <c>MapValueToKey</c>), an integer, whole-number or text column.</summary>
    [NotHyperParameter("a data column")]
    public string UserColumnName { get; set; } = Defaults.UserColumnName;

    /// <summary>The item id column: a key column, an integer, whole-number or text column.</summary>
    [NotHyperParameter("a data column")]
    public string ItemColumnName { get; set; } = Defaults.ItemColumnName;

    /// <summary>Optional rating column (Single or Double). With <see cref="MinRating"/> it selects the positives.</summary>
    [NotHyperParameter("a data column")]
    public string? RatingColumnName { get; set; }

    /// <summary>Rows with a rating at or above this value are positives; the others only add their ids to the catalogue. Null: every row is a positive.</summary>
    [HyperParameter("min_rating", "--min-rating", "Rows rated at or above R are positives (default: every row).", ValueName = "R")]
    public float? MinRating { get; set; }

    /// <summary>
    /// What training does against poisoned data (fake profiles) before it trains: <c>None</c> trains on every row;
    /// <c>Auto</c> (the recommended defence) and the named defences drop the rows of the users a fake-profile
    /// detector suspects (<see cref="Robustness.PoisoningDefenses"/>); those users stay in the catalogue.
    /// </summary>
    [HyperParameter("defense", "--defense", "Against poisoned training data: none, auto (the recommended defence: drop the users a fake-profile detector suspects) or neighbors (that detector: outliers of the similarity to the top neighbours).", FlagValues = ["none", "auto", "neighbors"], ValueName = "D")]
    public Robustness.PoisoningDefense Defense { get; set; } = Defaults.Defense;

    /// <summary>The output column the fitted transformer adds.</summary>
    [NotHyperParameter("an output column")]
    public string ScoreColumnName { get; set; } = Defaults.ScoreColumnName;

    /// <summary>Random seed for initialisation, shuffling and sampling. Null: drawn from the <c>MLContext</c>'s seed.</summary>
    [NotHyperParameter("the random seed: the engines record the seed they use in checkpoints")]
    public int? Seed { get; set; }

    /// <summary>Where TorchSharp trains.</summary>
    [NotHyperParameter("where training runs, not what it computes")]
    public TrainingDevice Device { get; set; } = TrainingDevice.Auto;

    /// <summary>
    /// libtorch intra-op CPU threads while training (restored afterwards). Null: 1 — the row gathers and small matrix
    /// products of a factorisation batch run fastest on one thread, and libtorch's OpenMP pool busy-waits, which
    /// slowed training up to 50× on a 2-core machine with another busy process. Raise it for large dimensions.
    /// </summary>
    [NotHyperParameter("how fast training runs, not what it computes")]
    public int? NumberOfThreads { get; set; }

    /// <summary>Optional validation data (same columns as the training data). Enables model selection and early stopping on NDCG@<see cref="ValidationK"/>.</summary>
    [NotHyperParameter("data")]
    public Microsoft.ML.IDataView? ValidationData { get; set; }

    /// <summary>
    /// When <see cref="ValidationData"/> is null: the share of each user's training positives held out (seeded by
    /// <see cref="Seed"/>) as validation data for model selection, the phase switches and early stopping. 0: no
    /// internal validation (a fixed schedule of <c>Epochs</c> epochs).
    /// </summary>
    [HyperParameter("validation_fraction", "--validation-fraction", "Without validation data: per-user share of the training positives held out for model selection, the phase switches and early stopping (0: a fixed schedule of --epochs).", Min = 0, Max = 1, MaxExclusive = true, ValueName = "F")]
    public double ValidationFraction { get; set; } = Defaults.ValidationFraction;

    /// <summary>
    /// With the internal split (<see cref="ValidationFraction"/>): after selection, train again on all the rows,
    /// replaying the selected schedule (its phase switches and epoch count) without validation, and serve that model.
    /// False serves the model selected on the rest of the rows.
    /// </summary>
    [HyperParameter("refit_on_all_data", "--refit-on-all-data", "With the internal validation split: after selection, retrain on all the rows replaying the selected schedule (false: serve the model selected on the rest).", FlagValues = ["false", "true"])]
    public bool RefitOnAllData { get; set; } = true;

    /// <summary>K of the validation NDCG.</summary>
    [HyperParameter("validation_k", "--validation-k", "With validation data: K of the NDCG@K that selects the epoch.", Min = 1, ValueName = "K")]
    public int ValidationK { get; set; } = Defaults.ValidationK;

    /// <summary>Stop after this many validated epochs without improvement (0 disables early stopping; the best epoch is still kept).</summary>
    [HyperParameter("early_stopping_patience", "--patience", "With validation data: stop after N validated epochs without improvement (0: never; IRGAN: in the BPR pre-training and in the game, each).", Min = 0, ValueName = "N", ShapesTraining = false)]
    public int EarlyStoppingPatience { get; set; } = Defaults.EarlyStoppingPatience;

    /// <summary>
    /// Folder to write a training checkpoint to (<see cref="CheckpointFileName"/>, atomically: a temporary file, then a
    /// rename) every <see cref="CheckpointEvery"/> epochs and after the last epoch. Null: no checkpoint files. A process
    /// killed at any moment leaves the previous complete checkpoint; continue with <see cref="ResumeFrom"/> =
    /// <c>TrainingCheckpoint.Load(...)</c> and the same data, options and seed to get the uninterrupted run's model.
    /// </summary>
    [NotHyperParameter("where checkpoints go, not what is trained")]
    public string? CheckpointDirectory { get; set; }

    /// <summary>Epochs between checkpoint files in <see cref="CheckpointDirectory"/>.</summary>
    [NotHyperParameter("how often checkpoints are written, not what is trained")]
    public int CheckpointEvery { get; set; } = 1;

    /// <summary>The checkpoint file name inside <see cref="CheckpointDirectory"/>.</summary>
    public const string CheckpointFileName = "checkpoint.bin";

    /// <summary>Continue from this checkpoint (from <c>RecommenderTransformer.Checkpoint</c> or <see cref="Training.TrainingCheckpoint.Load(string)"/>) instead of a fresh initialisation.</summary>
    [NotHyperParameter("a checkpoint to continue from")]
    public Training.TrainingCheckpoint? ResumeFrom { get; set; }

    /// <summary>Stops training at the next batch; <c>Fit</c> then throws <see cref="OperationCanceledException"/>.</summary>
    [NotHyperParameter("a callback")]
    public CancellationToken CancellationToken { get; set; }

    /// <summary>Receives a report after every epoch (after its checkpoint is written).</summary>
    [NotHyperParameter("a callback")]
    public IProgress<Training.TrainingEpochReport>? Progress { get; set; }

    /// <summary>K of the exported top-K recommender graph.</summary>
    [NotHyperParameter("a serving export setting")]
    public int TopK { get; set; } = Defaults.TopK;

    /// <summary>Whether the exported top-K graph leaves out items the user had in training.</summary>
    [NotHyperParameter("a serving export setting")]
    public bool ExcludeTrainingItemsFromTopK { get; set; } = true;

    /// <summary>GPU used by ONNX Runtime when serving; null takes <c>MLContext.GpuDeviceId</c> (no GPU unless one is set).</summary>
    [NotHyperParameter("a serving setting")]
    public int? GpuDeviceId { get; set; }

    /// <summary>Whether serving falls back to the CPU when the GPU cannot be used; null takes <c>MLContext.FallbackToCpu</c>.</summary>
    [NotHyperParameter("a serving setting")]
    public bool? FallbackToCpu { get; set; }

    /// <summary>Checks every option and throws an <see cref="ArgumentOutOfRangeException"/> naming the bad one.</summary>
    /// <remarks>The ranges of the hyper-parameters come from their <see cref="HyperParameterAttribute"/>; overrides add the rules that involve several options.</remarks>
    public virtual void Validate()
    {
        HyperParameterSet.For(GetType()).Validate(this); // the declared ranges; what follows are the other options' rules
        Check(!string.IsNullOrWhiteSpace(UserColumnName), nameof(UserColumnName), "must name a column");
        Check(!string.IsNullOrWhiteSpace(ItemColumnName), nameof(ItemColumnName), "must name a column");
        Check(!string.IsNullOrWhiteSpace(ScoreColumnName), nameof(ScoreColumnName), "must name a column");
        Check(TopK > 0, nameof(TopK), "must be positive");
        Check(NumberOfThreads is null or > 0, nameof(NumberOfThreads), "must be positive");
        Check(CheckpointEvery > 0, nameof(CheckpointEvery), "must be positive");
        Check(CheckpointDirectory is null || !string.IsNullOrWhiteSpace(CheckpointDirectory), nameof(CheckpointDirectory), "must name a folder or be null");
    }

    /// <summary>What the serving transformer needs from the options.</summary>
    internal Serving.ServingOptions ServingOptions() =>
        new(UserColumnName, ItemColumnName, ScoreColumnName, TopK, ExcludeTrainingItemsFromTopK, GpuDeviceId, FallbackToCpu);

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> for option <paramref name="name"/> unless <paramref name="ok"/>.</summary>
    protected static void Check(bool ok, string name, string requirement)
    {
        if (!ok) throw new ArgumentOutOfRangeException(name, $"Option {name} {requirement}.");
    }
}
