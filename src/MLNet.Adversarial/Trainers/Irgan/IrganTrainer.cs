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
    [HyperParameterKey(nameof(Epochs), "pretraining_epochs")]
    [HyperParameterKey(nameof(LearningRate), "pretraining_learning_rate")]
    [HyperParameterKey(nameof(L2Regularization), "pretraining_l2_regularization")]
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
        [HyperParameter("adversarial_epochs", "--gan-epochs", "IRGAN: rounds of the game after the BPR pre-training of G (--epochs).", Min = 0, ValueName = "N", ShapesTraining = false)]
        public int AdversarialEpochs { get; set; } = GameDefaults.AdversarialEpochs;

        /// <summary>Passes of D over the training positives per round; each pass pairs every positive with a fresh item drawn from G.</summary>
        [HyperParameter("discriminator_epochs", "--d-epochs", "IRGAN: passes of D over the positives per round.", Min = 0, ValueName = "N", SearchMin = 1, SearchMax = 8)]
        public int DiscriminatorEpochs { get; set; } = GameDefaults.DiscriminatorEpochs;

        /// <summary>Passes of G over the users per round.</summary>
        [HyperParameter("generator_epochs", "--g-epochs", "IRGAN: passes of G over the users per round.", Min = 0, ValueName = "N", SearchMin = 1, SearchMax = 4)]
        public int GeneratorEpochs { get; set; } = GameDefaults.GeneratorEpochs;

        /// <summary>Items G draws per training positive of a user for one policy-gradient step.</summary>
        [HyperParameter("generator_samples_per_positive", "--g-samples", "IRGAN: items G draws per training positive in a policy-gradient step.", Min = 1, Max = 1024, ValueName = "N", SearchMin = 1, SearchMax = 8)]
        public int GeneratorSamplesPerPositive { get; set; } = GameDefaults.GeneratorSamplesPerPositive;

        /// <summary>τ of G's policy softmax(score / τ) in the policy gradient.</summary>
        [HyperParameter("temperature", "--temperature", "IRGAN: τ of G's policy softmax(score / τ).", Min = 0, MinExclusive = true, SearchMin = 0.1, SearchMax = 2, SearchLogScale = true)]
        public double Temperature { get; set; } = GameDefaults.Temperature;

        /// <summary>τ of G's softmax when it draws the fake items D is trained on.</summary>
        [HyperParameter("discriminator_sampling_temperature", "--d-temperature", "IRGAN: τ of G's softmax when it draws D's fake items.", Min = 0, MinExclusive = true, SearchMin = 0.1, SearchMax = 2, SearchLogScale = true)]
        public double DiscriminatorSamplingTemperature { get; set; } = GameDefaults.DiscriminatorSamplingTemperature;

        /// <summary>λ of the importance-sampling proposal (1 − λ)·p_θ + λ·m, m given by <see cref="ImportanceMix"/>; 0 samples from G alone.</summary>
        [HyperParameter("importance_mix_weight", "--mix", "IRGAN: λ of the importance-sampling proposal (1 − λ)·G + λ·m.", Min = 0, Max = 1, MaxExclusive = true, SearchMin = 0, SearchMax = 0.5)]
        public double ImportanceMixWeight { get; set; } = GameDefaults.ImportanceMixWeight;

        /// <summary>The distribution m mixed into G's samples (see <see cref="ImportanceSamplingMix"/>).</summary>
        [HyperParameter("importance_mix", "--mix-with", "IRGAN: m, uniform over the catalogue or over the user's positives.", FlagValues = ["positives", "uniform"], SearchChoices = true)]
        public ImportanceSamplingMix ImportanceMix { get; set; } = ImportanceSamplingMix.Uniform;

        /// <summary>Whether the items drawn from G for D leave out the user's training positives (D then learns positives against G's most plausible non-positives).</summary>
        [HyperParameter("exclude_positives_from_fakes", "--fakes-exclude-positives", "IRGAN: whether the items G draws for D leave out the user's training positives.", SearchChoices = true)]
        public bool ExcludePositivesFromFakes { get; set; } = true;

        /// <summary>Learning rate of G's optimiser during the game.</summary>
        [HyperParameter("generator_learning_rate", "--g-lr", "IRGAN: G's learning rate in the game.", Min = 0, MinExclusive = true, SearchMin = 1e-5, SearchMax = 1e-2, SearchLogScale = true)]
        public double GeneratorLearningRate { get; set; } = GameDefaults.GeneratorLearningRate;

        /// <summary>Learning rate of D's optimiser.</summary>
        [HyperParameter("discriminator_learning_rate", "--d-lr", "IRGAN: D's learning rate.", Min = 0, MinExclusive = true, SearchMin = 1e-4, SearchMax = 1e-2, SearchLogScale = true)]
        public double DiscriminatorLearningRate { get; set; } = GameDefaults.DiscriminatorLearningRate;

        /// <summary>L2 penalty on the rows and biases used in each of D's batches (scaled per pair, as in BPR).</summary>
        [HyperParameter("discriminator_l2_regularization", "--d-l2", "IRGAN: L2 penalty on D's rows and biases in each batch.", Min = 0, SearchMin = 1e-4, SearchMax = 0.1, SearchLogScale = true)]
        public double DiscriminatorL2Regularization { get; set; } = GameDefaults.DiscriminatorL2Regularization;

        /// <summary>Users in one policy-gradient step of G (the released IRGAN code takes one).</summary>
        [HyperParameter("generator_users_per_batch", "--g-users", "IRGAN: users in one policy-gradient step of G.", Min = 1, ValueName = "N", SearchMin = 1, SearchMax = 256, SearchLogScale = true)]
        public int GeneratorUsersPerBatch { get; set; } = GameDefaults.GeneratorUsersPerBatch;

        /// <summary>Whether D starts as a copy of the pre-trained G (true) or from a random initialisation, as in the paper (false).</summary>
        [HyperParameter("discriminator_from_generator", "--d-from-g", "IRGAN: whether D starts as a copy of the pre-trained G (false: a random start, as in the paper).", SearchChoices = true)]
        public bool InitializeDiscriminatorFromGenerator { get; set; } = true;

        /// <summary>Serve (export, score, select the epoch of) the discriminator instead of the generator.</summary>
        [HyperParameter("serve_discriminator", "--serve-d", "IRGAN: export and serve the discriminator instead of the generator.", SearchChoices = true)]
        public bool ServeDiscriminator { get; set; }

        /// <summary>
        /// Start G from this model instead of pre-training BPR (same users, items and dimension as the training data
        /// and <see cref="FactorizationTrainerOptions.EmbeddingDimension"/>). Null: BPR pre-training with the inherited options.
        /// </summary>
        [NotHyperParameter("a trained model to start from")]
        public FactorizationModel? InitialGenerator { get; set; }

        /// <inheritdoc />
        public override void Validate()
        {
            // What IRGAN does not support is named before the base class checks its details.
            Check(Privacy is null, nameof(Privacy), "is not supported by IRGAN (use BPR or APR)");
            Check(ItemText is null, nameof(ItemText), "is not supported by IRGAN (G and D are id-only factorisations)");
            Check(UserText is null, nameof(UserText), "is not supported by IRGAN (G and D are id-only factorisations)");
            base.Validate();
            Check(InitialGenerator is null || InitialGenerator.Dimension == EmbeddingDimension, nameof(InitialGenerator),
                $"must have the EmbeddingDimension ({EmbeddingDimension})");
        }

        /// <summary>The model kind written into exported metadata.</summary>
        internal string ModelKind => ServeDiscriminator ? "irgan-mf-discriminator" : "irgan-mf-generator";

        /// <summary>The BPR options of G's pre-training: every inherited option, without an adversarial term.</summary>
        internal AprTrainer.Options PretrainingOptions()
        {
            var bpr = new AprTrainer.Options();
            HyperParameterSet.CopyShared(this, bpr);
            bpr.AdversarialWeight = 0;
            return bpr;
        }
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

    /// <summary>The settings that shape the trajectory (the declared hyper-parameters that shape training, the seed, whether G was given), recorded in checkpoints.</summary>
    private SortedDictionary<string, string> Settings(int seed) =>
        HyperParameterSet.For<Options>().CheckpointSettings(TrainerOptions, seed, ("InitialGenerator", TrainerOptions.InitialGenerator is null ? null : "given"));

    /// <summary>The hyper-parameters recorded in the exported ONNX metadata (the declared ones).</summary>
    internal override IReadOnlyDictionary<string, string> HyperParameters()
    {
        var result = HyperParameterSet.For<Options>().Metadata(TrainerOptions);
        if (TrainerOptions.InitialGenerator is not null) result["pretraining_epochs"] = "given"; // G was not pre-trained here
        return result;
    }
}
