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

        /// <summary>
        /// The options a model was trained with, from its checkpoint's settings (every declared option that shapes
        /// training, and the seed); the rest keep their defaults. For <see cref="Update(FactorizationModel, InteractionData, InteractionData, UpdateOptions, Action{string})"/>.
        /// </summary>
        /// <exception cref="InvalidDataException">The checkpoint is not a BPR or APR one, or was trained with privacy or item text.</exception>
        public static Options FromCheckpoint(TrainingCheckpoint checkpoint)
        {
            ArgumentNullException.ThrowIfNull(checkpoint);
            var settings = checkpoint.Settings;
            if (!settings.ContainsKey(nameof(AdversarialWeight)))
                throw new InvalidDataException("The checkpoint is not of a BPR or APR model (IRGAN and CFGAN models cannot be updated yet: retrain with the old and new rows).");
            if (settings.ContainsKey("ItemText"))
                throw new InvalidDataException("The checkpoint is of a hybrid (text) model, which cannot be updated yet: retrain with the old and new rows.");
            var options = new Options();
            var groups = HyperParameterSet.For<Options>().ApplyCheckpointSettings(options, settings);
            if (groups.Count > 0)
                throw new InvalidDataException("The checkpoint is of a privacy-protected model, which cannot be updated yet (the adversary is not in the model): retrain with the old and new rows.");
            if (settings.TryGetValue("Seed", out var seed) && int.TryParse(seed, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int value))
                options.Seed = value;
            return options;
        }

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

    /// <summary>
    /// Adds new interactions to a trained BPR or APR model without retraining it from scratch: the users and items of
    /// <paramref name="added"/> the model has never seen are folded in (<see cref="FoldIn"/>, under this trainer's
    /// objective), then training continues from those weights — through the same epoch loop as <see cref="Train"/>,
    /// APR adversarially from the first epoch — for <see cref="UpdateOptions.Epochs"/> epochs on the new positives and
    /// a sample of whole old users (<see cref="UpdateOptions.OldPositivesPerNew"/>). The trainer's options should be the
    /// model's own (<see cref="Options.FromCheckpoint"/>); its <see cref="FactorizationTrainerOptions.Epochs"/> is
    /// replaced by the update's. The optimiser state starts afresh.
    /// </summary>
    /// <param name="model">The trained model.</param>
    /// <param name="trainedOn">The positives it was trained on (over its vocabularies): they are sampled, and stay "seen".</param>
    /// <param name="added">The new positives, over their own vocabularies: known and unseen users and items alike.</param>
    /// <param name="options">The update's options.</param>
    /// <param name="log">Progress messages, or null.</param>
    /// <exception cref="InvalidOperationException">The trainer makes a hybrid or privacy-protected model (update does not support those yet).</exception>
    /// <exception cref="ArgumentException">The vocabularies do not fit, or <paramref name="added"/> has no positives.</exception>
    public UpdateResult Update(FactorizationModel model, InteractionData trainedOn, InteractionData added, UpdateOptions options, Action<string>? log) =>
        Update(model, trainedOn, added, options, log, checkpoint: null);

    /// <summary>
    /// <see cref="Update(FactorizationModel, InteractionData, InteractionData, UpdateOptions, Action{string})"/> that
    /// continues from <paramref name="checkpoint"/> (the model's training checkpoint): its optimiser state (Adam's
    /// moments and step count) carries on for the users and items it knew, instead of a fresh optimiser.
    /// </summary>
    /// <exception cref="ArgumentException">The checkpoint is not a factorisation one of this dimension.</exception>
    public UpdateResult Update(FactorizationModel model, InteractionData trainedOn, InteractionData added, UpdateOptions options, Action<string>? log, TrainingCheckpoint? checkpoint)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(trainedOn);
        ArgumentNullException.ThrowIfNull(added);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var o = TrainerOptions;
        if (o.ItemText is not null) throw new InvalidOperationException("Update does not support the hybrid (text) model yet: retrain it with the old and new rows.");
        if (o.Privacy is not null) throw new InvalidOperationException("Update does not support privacy-protected models (the adversary is not in the model): retrain with the old and new rows.");
        if (model.Dimension != o.EmbeddingDimension)
            throw new ArgumentException($"The model has dimension {model.Dimension}, the options {o.EmbeddingDimension}: update with the options the model was trained with (Options.FromCheckpoint).", nameof(model));
        int seed = options.Seed ?? o.Seed ?? 0;
        var foldIn = options.FoldIn ?? FoldInOptions.For(o) with { Seed = seed, Steps = options.FoldInSteps };
        var prepared = ModelUpdate.Prepare(model, trainedOn, added, foldIn, options.OldPositivesPerNew, seed);
        log?.Invoke($"update: {added.Count} new positives; {prepared.NewUsers} users and {prepared.NewItems} items folded in; training {options.Epochs} epochs on {prepared.Sample.Count} positives");
        var continued = o.Clone();
        continued.Epochs = options.Epochs;
        continued.WarmStart = prepared.Start;
        continued.WarmStartState = checkpoint;
        continued.ResumeFrom = null;
        continued.ValidationData = null;
        if (continued.AdversarialWeight > 0) continued.AdversarialStartEpoch = 0; // the model is already trained: no BPR warm-up
        var trainer = new AprTrainer(Context, continued);
        // The loop's epochs over the sample; with 0 epochs the checkpoint holds the folded-in weights (a later update starts there).
        var result = trainer.RunSchedule(prepared.Sample, null, seed, log, null, out var end).As<FactorizationModel>();
        return new UpdateResult(result.Model, prepared.All, prepared.NewUsers, prepared.NewItems, prepared.Sample.Count, result, end);
    }

    /// <summary>
    /// <see cref="Update(FactorizationModel, InteractionData, InteractionData, UpdateOptions, Action{string})"/>
    /// for a fitted recommender and new (user, item[, rating]) rows in this trainer's columns (rows below
    /// <see cref="RecommenderTrainerOptions.MinRating"/> are not positives): the updated recommender, served and
    /// exported like a fitted one, with every old and new positive as its training data.
    /// </summary>
    /// <exception cref="ArgumentException">The fitted model is not a BPR or APR factorisation model, or the rows have no positives.</exception>
    public RecommenderTransformer Update(RecommenderTransformer fitted, IDataView newRows, UpdateOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(fitted);
        if (fitted.Model is not FactorizationModel model || fitted.Model is HybridFactorizationModel)
            throw new ArgumentException($"Update supports BPR and APR factorisation models, not {fitted.Model.GetType().Name}: retrain with the old and new rows.", nameof(fitted));
        return Update(model, fitted.TrainingData, newRows, options, fitted.Checkpoint);
    }

    /// <summary>The ML.NET form of the update for a model and the positives it was trained on (e.g. read back from a model folder).</summary>
    /// <param name="model">The trained model.</param>
    /// <param name="trainedOn">The positives it was trained on, over its vocabularies.</param>
    /// <param name="newRows">The new rows.</param>
    /// <param name="options">The update's options (null: the defaults).</param>
    /// <param name="checkpoint">The model's training checkpoint, whose optimiser state carries on; null: a fresh optimiser.</param>
    public RecommenderTransformer Update(FactorizationModel model, InteractionData trainedOn, IDataView newRows, UpdateOptions? options = null, TrainingCheckpoint? checkpoint = null)
    {
        ArgumentNullException.ThrowIfNull(newRows);
        var o = TrainerOptions;
        var table = DataViewInteractionReader.Read(newRows, o.UserColumnName, o.ItemColumnName, o.RatingColumnName, o.CancellationToken);
        var added = InteractionData.FromTable(table, o.MinRating);
        var result = Update(model, trainedOn, added, options ?? new UpdateOptions(), null, checkpoint);
        var training = new TrainingResult<IRecommenderModel>(result.Model, result.Training.History, result.Training.SelectedEpoch)
            { PhaseSwitchEpochs = result.Training.PhaseSwitchEpochs };
        return RecommenderTransformer.Create(Context, newRows, result.Positives, training, result.Checkpoint, o.ServingOptions(), ModelKind, HyperParameters());
    }

    private TrainingResult<IRecommenderModel> TrainAny(InteractionData train, InteractionData? validation, int seed, Action<string>? log, out TrainingCheckpoint checkpoint)
    {
        var resume = TrainerOptions.ResumeFrom;
        return RunSchedule(train, validation, seed, log, resume, out checkpoint, resume?.Replay, resume?.SelectionRun);
    }

    /// <summary>The settings that shape the trajectory (the declared hyper-parameters that shape training, the seed, the item text), recorded in checkpoints.</summary>
    private SortedDictionary<string, string> Settings(int seed, TrainingText? text) =>
        HyperParameterSet.For<Options>().CheckpointSettings(TrainerOptions, seed, ("ItemText", text?.Fingerprint()),
            ("WarmStart", TrainerOptions.WarmStart is { } start ? ModelUpdate.Fingerprint(start) : null));

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
