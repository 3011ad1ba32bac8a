using Microsoft.ML;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;
using MLNet.Adversarial.Serving;
using MLNet.Adversarial.Training;

namespace MLNet.Adversarial.Trainers;

/// <summary>
/// IRGAN for item recommendation (Wang et al., "IRGAN: A Minimax Game for Unifying Generative and Discriminative
/// Information Retrieval Models", SIGIR 2017): a generator G, a softmax policy over the catalogue for each user, and a
/// discriminator D, a pointwise scorer, play a minimax game. D learns to tell the user's real positives from items
/// drawn from G; G is moved by policy gradient towards the items D rewards. Both are matrix-factorisation models;
/// G starts from a BPR model trained by this library. Create it with <c>mlContext.Adversarial().Trainers.Irgan(...)</c>.
/// </summary>
/// <remarks>
/// <c>Fit</c> trains with TorchSharp, exports the served model (G, or D with <see cref="Options.ServeDiscriminator"/>)
/// to ONNX and returns a <see cref="RecommenderTransformer"/>, exactly as the APR trainer does.
/// </remarks>
public sealed class IrganTrainer : RecommenderTrainer<IrganTrainer.Options>
{
    /// <summary>
    /// Options of <see cref="IrganTrainer"/>. The options inherited from <see cref="FactorizationTrainerOptions"/>
    /// describe the model (dimension, item bias, device) and the BPR pre-training of the generator (its epochs, batch,
    /// learning rate, L2, sampler); the discriminator's steps use the same <see cref="FactorizationTrainerOptions.BatchSize"/>
    /// and <see cref="FactorizationTrainerOptions.Optimizer"/>.
    /// </summary>
    public sealed class Options : FactorizationTrainerOptions
    {
        /// <summary>Default values of the IRGAN options.</summary>
        public static class GameDefaults
        {
            /// <summary>Default <see cref="AdversarialEpochs"/>.</summary>
            public const int AdversarialEpochs = 50;
            /// <summary>Default <see cref="DiscriminatorEpochs"/>.</summary>
            public const int DiscriminatorEpochs = 4;
            /// <summary>Default <see cref="GeneratorEpochs"/>.</summary>
            public const int GeneratorEpochs = 1;
            /// <summary>Default <see cref="GeneratorSamplesPerPositive"/> (the released IRGAN code draws 2).</summary>
            public const int GeneratorSamplesPerPositive = 2;
            /// <summary>Default <see cref="Temperature"/>.</summary>
            public const double Temperature = 0.5;
            /// <summary>Default <see cref="DiscriminatorSamplingTemperature"/> (the released IRGAN code uses 0.2, which collapsed D from a BPR start; see docs/trainers.md).</summary>
            public const double DiscriminatorSamplingTemperature = 1.0;
            /// <summary>Default <see cref="ImportanceMixWeight"/> (the released IRGAN code uses 0.2).</summary>
            public const double ImportanceMixWeight = 0.2;
            /// <summary>Default <see cref="GeneratorLearningRate"/>.</summary>
            public const double GeneratorLearningRate = 0.0002;
            /// <summary>Default <see cref="DiscriminatorLearningRate"/>.</summary>
            public const double DiscriminatorLearningRate = 0.001;
            /// <summary>Default <see cref="DiscriminatorL2Regularization"/>.</summary>
            public const double DiscriminatorL2Regularization = 0.01;
            /// <summary>Default <see cref="GeneratorUsersPerBatch"/>.</summary>
            public const int GeneratorUsersPerBatch = 64;
        }

        /// <summary>Rounds of the game after the BPR pre-training: each round trains D, then G (<see cref="DiscriminatorEpochs"/>, <see cref="GeneratorEpochs"/>).</summary>
        public int AdversarialEpochs { get; set; } = GameDefaults.AdversarialEpochs;

        /// <summary>Passes of D over the training positives per round; each pass pairs every positive with a fresh item drawn from G.</summary>
        public int DiscriminatorEpochs { get; set; } = GameDefaults.DiscriminatorEpochs;

        /// <summary>Passes of G over the users per round.</summary>
        public int GeneratorEpochs { get; set; } = GameDefaults.GeneratorEpochs;

        /// <summary>Items G draws per training positive of a user for one policy-gradient step.</summary>
        public int GeneratorSamplesPerPositive { get; set; } = GameDefaults.GeneratorSamplesPerPositive;

        /// <summary>τ of G's policy softmax(score / τ) in the policy gradient.</summary>
        public double Temperature { get; set; } = GameDefaults.Temperature;

        /// <summary>τ of G's softmax when it draws the fake items D is trained on.</summary>
        public double DiscriminatorSamplingTemperature { get; set; } = GameDefaults.DiscriminatorSamplingTemperature;

        /// <summary>λ of the importance-sampling proposal (1 − λ)·p_θ + λ·m, m given by <see cref="ImportanceMix"/>; 0 samples from G alone.</summary>
        public double ImportanceMixWeight { get; set; } = GameDefaults.ImportanceMixWeight;

        /// <summary>The distribution m mixed into G's samples (see <see cref="ImportanceSamplingMix"/>).</summary>
        public ImportanceSamplingMix ImportanceMix { get; set; } = ImportanceSamplingMix.Uniform;

        /// <summary>Whether the items drawn from G for D leave out the user's training positives (D then learns positives against G's most plausible non-positives).</summary>
        public bool ExcludePositivesFromFakes { get; set; } = true;

        /// <summary>Learning rate of G's optimiser during the game.</summary>
        public double GeneratorLearningRate { get; set; } = GameDefaults.GeneratorLearningRate;

        /// <summary>Learning rate of D's optimiser.</summary>
        public double DiscriminatorLearningRate { get; set; } = GameDefaults.DiscriminatorLearningRate;

        /// <summary>L2 penalty on the rows and biases used in each of D's batches (scaled per pair, as in BPR).</summary>
        public double DiscriminatorL2Regularization { get; set; } = GameDefaults.DiscriminatorL2Regularization;

        /// <summary>Users in one policy-gradient step of G (the released IRGAN code takes one).</summary>
        public int GeneratorUsersPerBatch { get; set; } = GameDefaults.GeneratorUsersPerBatch;

        /// <summary>Whether D starts as a copy of the pre-trained G (true) or from a random initialisation, as in the paper (false).</summary>
        public bool InitializeDiscriminatorFromGenerator { get; set; } = true;

        /// <summary>Serve (export, score, select the epoch of) the discriminator instead of the generator.</summary>
        public bool ServeDiscriminator { get; set; }

        /// <summary>
        /// Start G from this model instead of pre-training BPR (same users, items and dimension as the training data
        /// and <see cref="FactorizationTrainerOptions.EmbeddingDimension"/>). Null: BPR pre-training with the inherited options.
        /// </summary>
        public FactorizationModel? InitialGenerator { get; set; }

        /// <inheritdoc />
        public override void Validate()
        {
            // What IRGAN does not support is named before the base class checks its details.
            Check(Privacy is null, nameof(Privacy), "is not supported by IRGAN (use BPR or APR)");
            Check(ItemText is null, nameof(ItemText), "is not supported by IRGAN (G and D are id-only factorisations)");
            Check(UserText is null, nameof(UserText), "is not supported by IRGAN (G and D are id-only factorisations)");
            base.Validate();
            Check(AdversarialEpochs >= 0, nameof(AdversarialEpochs), "must not be negative");
            Check(DiscriminatorEpochs >= 0, nameof(DiscriminatorEpochs), "must not be negative");
            Check(GeneratorEpochs >= 0, nameof(GeneratorEpochs), "must not be negative");
            Check(GeneratorSamplesPerPositive > 0, nameof(GeneratorSamplesPerPositive), "must be positive");
            Check(Temperature > 0 && double.IsFinite(Temperature), nameof(Temperature), "must be positive");
            Check(DiscriminatorSamplingTemperature > 0 && double.IsFinite(DiscriminatorSamplingTemperature), nameof(DiscriminatorSamplingTemperature), "must be positive");
            Check(ImportanceMixWeight is >= 0 and < 1, nameof(ImportanceMixWeight), "must be in [0, 1)");
            Check(Enum.IsDefined(ImportanceMix), nameof(ImportanceMix), "must be UserPositives or Uniform");
            Check(GeneratorLearningRate > 0 && double.IsFinite(GeneratorLearningRate), nameof(GeneratorLearningRate), "must be positive");
            Check(DiscriminatorLearningRate > 0 && double.IsFinite(DiscriminatorLearningRate), nameof(DiscriminatorLearningRate), "must be positive");
            Check(DiscriminatorL2Regularization >= 0 && double.IsFinite(DiscriminatorL2Regularization), nameof(DiscriminatorL2Regularization), "must not be negative");
            Check(GeneratorUsersPerBatch > 0, nameof(GeneratorUsersPerBatch), "must be positive");
            Check(InitialGenerator is null || InitialGenerator.Dimension == EmbeddingDimension, nameof(InitialGenerator),
                $"must have the EmbeddingDimension ({EmbeddingDimension})");
        }

        /// <summary>The model kind written into exported metadata.</summary>
        internal string ModelKind => ServeDiscriminator ? "irgan-mf-discriminator" : "irgan-mf-generator";

        /// <summary>The BPR options of G's pre-training: the inherited options, without an adversarial term.</summary>
        internal AprTrainer.Options PretrainingOptions() => new()
        {
            EmbeddingDimension = EmbeddingDimension, Epochs = Epochs, BatchSize = BatchSize, Optimizer = Optimizer,
            LearningRate = LearningRate, L2Regularization = L2Regularization, NegativesPerPositive = NegativesPerPositive,
            NegativeSampler = NegativeSampler, DynamicCandidates = DynamicCandidates, UseItemBias = UseItemBias,
            InitialStandardDeviation = InitialStandardDeviation, Device = Device, NumberOfThreads = NumberOfThreads,
            ValidationK = ValidationK, EarlyStoppingPatience = EarlyStoppingPatience, CancellationToken = CancellationToken,
            AdversarialWeight = 0,
        };
    }

    internal IrganTrainer(MLContext mlContext, Options options) : base(mlContext, options)
    {
    }

    private protected override string ModelKind => TrainerOptions.ModelKind;

    /// <summary>The BPR pre-training epochs (none with an initial generator), then the rounds of the game.</summary>
    private protected override int MaxEpochs => (TrainerOptions.InitialGenerator is null ? TrainerOptions.Epochs : 0) + TrainerOptions.AdversarialEpochs;

    private protected override IEpochTrainer CreateEpochTrainer(InteractionData train, int seed, Action<string>? log, out IReadOnlyDictionary<string, string> settings)
    {
        if (TrainerOptions.InitialGenerator is { } initial && (!initial.Users.Equals(train.Users) || !initial.Items.Equals(train.Items)))
            throw new ArgumentException($"The initial generator has {initial.Users.Count} users and {initial.Items.Count} items; " +
                $"the training data has {train.Users.Count} and {train.Items.Count}. Train it on the same data.", nameof(train));
        settings = Settings(seed);
        return new IrganTrainingEngine(TrainerOptions, train, seed);
    }

    /// <summary>
    /// Trains on already indexed positives, without ML.NET (the entry point of the command-line tool and the
    /// experiments): BPR pre-training of G (unless <see cref="Options.InitialGenerator"/> is given), then the game.
    /// <paramref name="validation"/> must use <paramref name="train"/>'s vocabularies; with it, the pre-training ends
    /// when validation stops improving, the game starts from its best G, and the served model of the best validated
    /// epoch is returned — a BPR epoch when no round of the game beat the pre-trained G.
    /// </summary>
    public TrainingResult<FactorizationModel> Train(InteractionData train, InteractionData? validation, int seed, Action<string>? log, out TrainingCheckpoint checkpoint)
    {
        var resume = TrainerOptions.ResumeFrom;
        return RunSchedule(train, validation, seed, log, resume, out checkpoint, resume?.Replay, resume?.SelectionRun).As<FactorizationModel>();
    }

    /// <summary>The settings that shape the trajectory (everything but the number of epochs), recorded in checkpoints.</summary>
    private SortedDictionary<string, string> Settings(int seed)
    {
        var settings = new SortedDictionary<string, string>(HyperParameters().ToDictionary(), StringComparer.Ordinal);
        // The epoch budgets may change on resume (training further is what resuming is for); the rest may not.
        settings.Remove("pretraining_epochs");
        settings.Remove("adversarial_epochs");
        settings.Remove("min_rating");
        settings["initial_generator"] = TrainerOptions.InitialGenerator is null ? "none" : "given";
        settings["initial_standard_deviation"] = TrainerOptions.InitialStandardDeviation.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        settings["seed"] = seed.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return settings;
    }

    /// <summary>The hyper-parameters recorded in the exported ONNX metadata.</summary>
    internal override IReadOnlyDictionary<string, string> HyperParameters()
    {
        var o = TrainerOptions;
        static string F(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        static string I(int v) => v.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["embedding_dimension"] = I(o.EmbeddingDimension),
            ["pretraining_epochs"] = o.InitialGenerator is null ? I(o.Epochs) : "given",
            ["pretraining_learning_rate"] = F(o.LearningRate),
            ["pretraining_l2_regularization"] = F(o.L2Regularization),
            ["batch_size"] = I(o.BatchSize),
            ["optimizer"] = o.Optimizer.ToString(),
            ["adversarial_epochs"] = I(o.AdversarialEpochs),
            ["discriminator_epochs"] = I(o.DiscriminatorEpochs),
            ["generator_epochs"] = I(o.GeneratorEpochs),
            ["generator_samples_per_positive"] = I(o.GeneratorSamplesPerPositive),
            ["temperature"] = F(o.Temperature),
            ["discriminator_sampling_temperature"] = F(o.DiscriminatorSamplingTemperature),
            ["importance_mix"] = o.ImportanceMix.ToString(),
            ["importance_mix_weight"] = F(o.ImportanceMixWeight),
            ["exclude_positives_from_fakes"] = o.ExcludePositivesFromFakes ? "true" : "false",
            ["generator_learning_rate"] = F(o.GeneratorLearningRate),
            ["discriminator_learning_rate"] = F(o.DiscriminatorLearningRate),
            ["discriminator_l2_regularization"] = F(o.DiscriminatorL2Regularization),
            ["generator_users_per_batch"] = I(o.GeneratorUsersPerBatch),
            ["discriminator_from_generator"] = o.InitializeDiscriminatorFromGenerator ? "true" : "false",
            ["served_model"] = o.ServeDiscriminator ? "discriminator" : "generator",
            ["min_rating"] = o.MinRating?.ToString("R", System.Globalization.CultureInfo.InvariantCulture) ?? "",
        };
    }
}
