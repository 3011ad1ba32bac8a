using Microsoft.ML;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;
using MLNet.Adversarial.Serving;
using MLNet.Adversarial.Text;
using MLNet.Adversarial.Training;

namespace MLNet.Adversarial.Trainers;

/// <summary>
/// Adversarial Personalized Ranking (He et al., SIGIR 2018): BPR matrix factorisation trained against worst-case
/// perturbations of its embeddings. With <see cref="Options.AdversarialWeight"/> = 0 it is plain BPR
/// (Rendle et al., UAI 2009). Create it with <c>mlContext.Adversarial().Trainers.Apr(...)</c> or <c>.Bpr(...)</c>.
/// </summary>
/// <remarks>
/// <c>Fit</c> trains with TorchSharp, exports the model to ONNX and returns a
/// <see cref="RecommenderTransformer"/> that scores (user, item) rows through ML.NET's ONNX transformer.
/// </remarks>
public sealed class AprTrainer : RecommenderTrainer<AprTrainer.Options>
{
    /// <summary>Options of <see cref="AprTrainer"/>.</summary>
    public sealed class Options : FactorizationTrainerOptions
    {
        /// <summary>Default values of the adversarial options.</summary>
        public static class AdversarialDefaults
        {
            /// <summary>Default <see cref="Epsilon"/> (the APR paper's choice for MF).</summary>
            public const double Epsilon = 0.5;
            /// <summary>Default <see cref="AdversarialWeight"/> (the APR paper's λ).</summary>
            public const double AdversarialWeight = 1.0;
            /// <summary>Default L2 penalty of APR (BPR's is <see cref="FactorizationTrainerOptions.Defaults.L2Regularization"/>): the adversarial term regularises too; chosen on a validation split of MovieLens-100K (docs/results.md).</summary>
            public const double L2Regularization = 0.001;
        }

        /// <inheritdoc />
        public override double EffectiveL2Regularization =>
            L2Regularization ?? (AdversarialWeight > 0 ? AdversarialDefaults.L2Regularization : FactorizationTrainerOptions.Defaults.L2Regularization);

        /// <summary>L2 norm ε of each perturbed embedding row's adversarial perturbation.</summary>
        [HyperParameter("epsilon", "--epsilon", "APR perturbation norm ε.", Min = 0, SearchMin = 0.01, SearchMax = 2, SearchLogScale = true)]
        public double Epsilon { get; set; } = AdversarialDefaults.Epsilon;

        /// <summary>Weight λ of the adversarial loss; 0 trains plain BPR.</summary>
        [HyperParameter("adversarial_weight", "--adv-weight", "APR adversarial weight λ (bpr: 0).", Min = 0, SearchMin = 0.01, SearchMax = 10, SearchLogScale = true)]
        public double AdversarialWeight { get; set; } = AdversarialDefaults.AdversarialWeight;

        /// <summary>
        /// Epochs of plain BPR warm-up before the adversarial term is switched on (a fixed switch, the override). Null
        /// (the default): the warm-up ends when validation NDCG has not improved for
        /// <see cref="RecommenderTrainerOptions.EarlyStoppingPatience"/> epochs, at the latest after half of
        /// <see cref="FactorizationTrainerOptions.Epochs"/>, and the adversarial phase starts from the warm-up's best
        /// validated model; without validation data, after half of the epochs. The APR paper starts from a trained BPR
        /// model; switched on from the first epoch, the perturbations (ε relative to tiny initial embeddings) keep the
        /// model near ItemPop. The switch epoch is in the result's <c>PhaseSwitchEpochs</c>, the epoch of the model the
        /// adversarial phase started from in <c>PhaseStartEpochs</c>.
        /// </summary>
        [HyperParameter("adversarial_start_epoch", "--adv-start", "Epochs of plain BPR warm-up before the adversarial term (APR; default: until validation stops improving, at most half of --epochs; without validation, half of --epochs).", Min = 0, ValueName = "N")]
        public int? AdversarialStartEpoch { get; set; }

        /// <summary>A shallow copy (the text features and privacy options are shared, not copied).</summary>
        internal Options Clone() => HyperParameterSet.Clone(this);

        /// <summary>The model kind written into exported metadata.</summary>
        internal string ModelKind => (ItemText is null ? "" : "hybrid-") + (AdversarialWeight > 0 ? "apr-mf" : "bpr-mf");
    }

    internal AprTrainer(MLContext mlContext, Options options) : base(mlContext, options)
    {
    }

    private protected override string ModelKind => TrainerOptions.ModelKind;

    private protected override int MaxEpochs => TrainerOptions.Epochs;

    private protected override IEpochTrainer CreateEpochTrainer(InteractionData train, int seed, Action<string>? log, out IReadOnlyDictionary<string, string> settings)
    {
        var o = TrainerOptions;
        var text = o.ItemText is null ? null : TrainingText.Create(train, o.ItemText, o.UserText);
        if (text is not null)
        {
            if (text.ItemSide.Missing > 0) log?.Invoke($"{text.ItemSide.Missing} of {train.Items.Count} items have no text in {text.ItemSide.Name}: they get the mean text embedding (an id-only item vector)");
            if (text.UserSide is { Missing: > 0 } u) log?.Invoke($"{u.Missing} of {train.Users.Count} users have no text in {u.Name}: they get the mean text embedding");
        }
        settings = Settings(seed, text);
        return new PairwiseTrainingEngine(o, o.Epsilon, o.AdversarialWeight, o.AdversarialStartEpoch, train, text, seed);
    }

    /// <summary>Items that have text but no rows join the catalogue as new items, exactly as after training (<see cref="HybridModelText.WithNewItems"/>).</summary>
    private protected override (IRecommenderModel Model, InteractionData Data) ForServing(IRecommenderModel model, InteractionData trainedOn, InteractionData known,
        InteractionData input, Action<string> log)
    {
        if (model is not HybridFactorizationModel hybrid) return (model, input);
        var extended = hybrid.WithNewItems(TrainerOptions.ItemText!);
        if (extended.Items.Count == input.Items.Count) return (extended, input);
        log($"{extended.Items.Count - input.Items.Count} items with text but no interactions added to the catalogue");
        return (extended, input.WithVocabularies(input.Users, extended.Items));
    }

    /// <summary>
    /// Trains on already indexed positives, without ML.NET: the low-level entry point used by <c>Fit</c>,
    /// the command-line tool and the benchmarks. <paramref name="validation"/> must use <paramref name="train"/>'s vocabularies.
    /// </summary>
    /// <exception cref="InvalidOperationException"><see cref="FactorizationTrainerOptions.ItemText"/> is set: call <see cref="TrainHybrid"/>.</exception>
    public TrainingResult<FactorizationModel> Train(InteractionData train, InteractionData? validation, int seed, Action<string>? log, out TrainingCheckpoint checkpoint)
    {
        if (TrainerOptions.ItemText is not null)
            throw new InvalidOperationException("Options.ItemText is set, so the trainer makes a hybrid model: call TrainHybrid.");
        return TrainAny(train, validation, seed, log, out checkpoint).As<FactorizationModel>();
    }

    /// <summary>
    /// Trains the hybrid (id + text) model on already indexed positives: <see cref="Train"/> with
    /// <see cref="FactorizationTrainerOptions.ItemText"/> (and optionally <see cref="FactorizationTrainerOptions.UserText"/>).
    /// The catalogue is <paramref name="train"/>'s; text-only items are added afterwards with
    /// <see cref="HybridModelText.WithNewItems"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException"><see cref="FactorizationTrainerOptions.ItemText"/> is not set.</exception>
    /// <exception cref="ArgumentException">No item of <paramref name="train"/> has text (the ids do not match).</exception>
    public TrainingResult<HybridFactorizationModel> TrainHybrid(InteractionData train, InteractionData? validation, int seed, Action<string>? log, out TrainingCheckpoint checkpoint)
    {
        if (TrainerOptions.ItemText is null)
            throw new InvalidOperationException("Options.ItemText is not set: a hybrid model needs item text embeddings (or call Train for the id-only model).");
        return TrainAny(train, validation, seed, log, out checkpoint).As<HybridFactorizationModel>();
    }

    private TrainingResult<IRecommenderModel> TrainAny(InteractionData train, InteractionData? validation, int seed, Action<string>? log, out TrainingCheckpoint checkpoint)
    {
        var resume = TrainerOptions.ResumeFrom;
        return RunSchedule(train, validation, seed, log, resume, out checkpoint, resume?.Replay, resume?.SelectionRun);
    }

    /// <summary>The settings that shape the trajectory (the declared hyper-parameters that shape training, the seed, the item text), recorded in checkpoints.</summary>
    private SortedDictionary<string, string> Settings(int seed, TrainingText? text) =>
        HyperParameterSet.For<Options>().CheckpointSettings(TrainerOptions, seed, ("ItemText", text?.Fingerprint()));

    /// <summary>The hyper-parameters recorded in the exported ONNX metadata: the declared ones, and which data was hidden or added.</summary>
    internal override IReadOnlyDictionary<string, string> HyperParameters()
    {
        var o = TrainerOptions;
        var result = HyperParameterSet.For<Options>().Metadata(o);
        // What was hidden — never the adversary itself, which stays out of every export.
        if (o.Privacy is { } p) result["privacy_attribute"] = p.SensitiveAttributes?.Name ?? "";
        if (o.ItemText is { } text)
        {
            result["item_text"] = text.Name;
            result["item_text_dimension"] = text.Dimension.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (o.UserText is { } userText) result["user_text"] = userText.Name;
        }
        return result;
    }
}
