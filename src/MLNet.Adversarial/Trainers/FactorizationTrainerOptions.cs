namespace MLNet.Adversarial.Trainers;

/// <summary>
/// Options shared by the matrix-factorisation trainers (BPR, APR and those built on them): the data columns, the
/// model size, the optimiser, the negative sampling, validation with early stopping, and the serving exports.
/// </summary>
public abstract class FactorizationTrainerOptions
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
        /// <summary>Default <see cref="EmbeddingDimension"/>.</summary>
        public const int EmbeddingDimension = 64;
        /// <summary>Default <see cref="Epochs"/>.</summary>
        public const int Epochs = 40;
        /// <summary>Default <see cref="BatchSize"/>.</summary>
        public const int BatchSize = 4096;
        /// <summary>Default <see cref="LearningRate"/>.</summary>
        public const double LearningRate = 0.005;
        /// <summary>Default <see cref="L2Regularization"/>.</summary>
        public const double L2Regularization = 0.01;
        /// <summary>Default <see cref="NegativesPerPositive"/>.</summary>
        public const int NegativesPerPositive = 1;
        /// <summary>Default <see cref="DynamicCandidates"/>.</summary>
        public const int DynamicCandidates = 5;
        /// <summary>Default <see cref="InitialStandardDeviation"/>.</summary>
        public const double InitialStandardDeviation = 0.01;
        /// <summary>Default <see cref="ValidationK"/>.</summary>
        public const int ValidationK = 10;
        /// <summary>Default <see cref="EarlyStoppingPatience"/>.</summary>
        public const int EarlyStoppingPatience = 10;
        /// <summary>Default <see cref="TopK"/>.</summary>
        public const int TopK = 10;
    }

    /// <summary>The user id column: a key column (e.g. from <c>MapValueToKey</c>), an integer, whole-number or text column.</summary>
    public string UserColumnName { get; set; } = Defaults.UserColumnName;

    /// <summary>The item id column: a key column, an integer, whole-number or text column.</summary>
    public string ItemColumnName { get; set; } = Defaults.ItemColumnName;

    /// <summary>Optional rating column (Single or Double). With <see cref="MinRating"/> it selects the positives.</summary>
    public string? RatingColumnName { get; set; }

    /// <summary>Rows with a rating at or above this value are positives; the others only add their ids to the catalogue. Null: every row is a positive.</summary>
    public float? MinRating { get; set; }

    /// <summary>The output column the fitted transformer adds.</summary>
    public string ScoreColumnName { get; set; } = Defaults.ScoreColumnName;

    /// <summary>Size of the user and item embeddings (k).</summary>
    public int EmbeddingDimension { get; set; } = Defaults.EmbeddingDimension;

    /// <summary>Number of passes over the training positives.</summary>
    public int Epochs { get; set; } = Defaults.Epochs;

    /// <summary>Training pairs per gradient step.</summary>
    public int BatchSize { get; set; } = Defaults.BatchSize;

    /// <summary>The optimiser.</summary>
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.Adam;

    /// <summary>The optimiser's learning rate.</summary>
    public double LearningRate { get; set; } = Defaults.LearningRate;

    /// <summary>L2 penalty on the embedding rows and biases used in each batch (scaled per pair).</summary>
    public double L2Regularization { get; set; } = Defaults.L2Regularization;

    /// <summary>Negative items drawn for each positive in each epoch.</summary>
    public int NegativesPerPositive { get; set; } = Defaults.NegativesPerPositive;

    /// <summary>How negatives are drawn.</summary>
    public NegativeSamplerKind NegativeSampler { get; set; } = NegativeSamplerKind.Uniform;

    /// <summary>Candidates scored per negative by the dynamic sampler.</summary>
    public int DynamicCandidates { get; set; } = Defaults.DynamicCandidates;

    /// <summary>Whether the model has a per-item bias term.</summary>
    public bool UseItemBias { get; set; } = true;

    /// <summary>Standard deviation of the Gaussian initialisation of the embeddings.</summary>
    public double InitialStandardDeviation { get; set; } = Defaults.InitialStandardDeviation;

    /// <summary>Random seed for initialisation, shuffling and sampling. Null: drawn from the <c>MLContext</c>'s seed.</summary>
    public int? Seed { get; set; }

    /// <summary>Where TorchSharp trains.</summary>
    public TrainingDevice Device { get; set; } = TrainingDevice.Auto;

    /// <summary>
    /// libtorch intra-op CPU threads while training (restored afterwards). Null: 1 — the row gathers and small matrix
    /// products of a factorisation batch run fastest on one thread, and libtorch's OpenMP pool busy-waits, which
    /// slowed training up to 50× on a 2-core machine with another busy process. Raise it for large dimensions.
    /// </summary>
    public int? NumberOfThreads { get; set; }

    /// <summary>Optional validation data (same columns as the training data). Enables model selection and early stopping on NDCG@<see cref="ValidationK"/>.</summary>
    public Microsoft.ML.IDataView? ValidationData { get; set; }

    /// <summary>K of the validation NDCG.</summary>
    public int ValidationK { get; set; } = Defaults.ValidationK;

    /// <summary>Stop after this many validated epochs without improvement (0 disables early stopping; the best epoch is still kept).</summary>
    public int EarlyStoppingPatience { get; set; } = Defaults.EarlyStoppingPatience;

    /// <summary>Stops training at the next batch; <c>Fit</c> then throws <see cref="OperationCanceledException"/>.</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>
    /// Folder to write a training checkpoint to (<see cref="CheckpointFileName"/>, atomically: a temporary file, then a
    /// rename) every <see cref="CheckpointEvery"/> epochs and after the last epoch. Null: no checkpoint files. A process
    /// killed at any moment leaves the previous complete checkpoint; continue with <c>AprTrainer.Options.ResumeFrom</c> =
    /// <c>TrainingCheckpoint.Load(...)</c> and the same data, options and seed to get the uninterrupted run's model.
    /// </summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>Epochs between checkpoint files in <see cref="CheckpointDirectory"/>.</summary>
    public int CheckpointEvery { get; set; } = 1;

    /// <summary>The checkpoint file name inside <see cref="CheckpointDirectory"/>.</summary>
    public const string CheckpointFileName = "checkpoint.bin";

    /// <summary>Receives a report after every epoch.</summary>
    public IProgress<TrainingEpochReport>? Progress { get; set; }

    /// <summary>K of the exported top-K recommender graph.</summary>
    public int TopK { get; set; } = Defaults.TopK;

    /// <summary>Whether the exported top-K graph leaves out items the user had in training.</summary>
    public bool ExcludeTrainingItemsFromTopK { get; set; } = true;

    /// <summary>GPU used by ONNX Runtime when serving; null takes <c>MLContext.GpuDeviceId</c> (no GPU unless one is set).</summary>
    public int? GpuDeviceId { get; set; }

    /// <summary>Whether serving falls back to the CPU when the GPU cannot be used; null takes <c>MLContext.FallbackToCpu</c>.</summary>
    public bool? FallbackToCpu { get; set; }

    /// <summary>
    /// Privacy-adversarial training: hide a sensitive user attribute from the user embeddings (see <see cref="PrivacyOptions"/>).
    /// Null: off. Works with BPR and APR alike.
    /// </summary>
    public PrivacyOptions? Privacy { get; set; }

    /// <summary>Checks every option and throws an <see cref="ArgumentOutOfRangeException"/> naming the bad one.</summary>
    public virtual void Validate()
    {
        Check(!string.IsNullOrWhiteSpace(UserColumnName), nameof(UserColumnName), "must name a column");
        Check(!string.IsNullOrWhiteSpace(ItemColumnName), nameof(ItemColumnName), "must name a column");
        Check(!string.IsNullOrWhiteSpace(ScoreColumnName), nameof(ScoreColumnName), "must name a column");
        Check(EmbeddingDimension is > 0 and <= 4096, nameof(EmbeddingDimension), "must be in 1..4096");
        Check(Epochs >= 0, nameof(Epochs), "must not be negative");
        Check(BatchSize > 0, nameof(BatchSize), "must be positive");
        Check(LearningRate > 0 && double.IsFinite(LearningRate), nameof(LearningRate), "must be positive");
        Check(L2Regularization >= 0 && double.IsFinite(L2Regularization), nameof(L2Regularization), "must not be negative");
        Check(NegativesPerPositive > 0, nameof(NegativesPerPositive), "must be positive");
        Check(DynamicCandidates > 0, nameof(DynamicCandidates), "must be positive");
        Check(InitialStandardDeviation > 0 && double.IsFinite(InitialStandardDeviation), nameof(InitialStandardDeviation), "must be positive");
        Check(ValidationK > 0, nameof(ValidationK), "must be positive");
        Check(EarlyStoppingPatience >= 0, nameof(EarlyStoppingPatience), "must not be negative");
        Check(TopK > 0, nameof(TopK), "must be positive");
        Check(CheckpointEvery > 0, nameof(CheckpointEvery), "must be positive");
        Check(CheckpointDirectory is null || !string.IsNullOrWhiteSpace(CheckpointDirectory), nameof(CheckpointDirectory), "must name a folder or be null");
        Check(NumberOfThreads is null or > 0, nameof(NumberOfThreads), "must be positive");
        Check(MinRating is null || float.IsFinite(MinRating.Value), nameof(MinRating), "must be a finite number");
        Privacy?.Validate();
    }

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> for option <paramref name="name"/> unless <paramref name="ok"/>.</summary>
    protected static void Check(bool ok, string name, string requirement)
    {
        if (!ok) throw new ArgumentOutOfRangeException(name, $"Option {name} {requirement}.");
    }
}
