using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Evaluation;
using MLNet.Adversarial.Models;
using MLNet.Adversarial.Serving;
using MLNet.Adversarial.Text;

namespace MLNet.Adversarial.Trainers;

/// <summary>
/// Adversarial Personalized Ranking (He et al., SIGIR 2018): BPR matrix factorisation trained against worst-case
/// perturbations of its embeddings. With <see cref="Options.AdversarialWeight"/> = 0 it is plain BPR
/// (Rendle et al., UAI 2009). Create it with <c>mlContext.Adversarial().Trainers.Apr(...)</c> or <c>.Bpr(...)</c>.
/// </summary>
/// <remarks>
/// <see cref="Fit"/> trains with TorchSharp, exports the model to ONNX and returns a
/// <see cref="RecommenderTransformer"/> that scores (user, item) rows through ML.NET's ONNX transformer.
/// </remarks>
public sealed class AprTrainer : IEstimator<RecommenderTransformer>
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
        }

        /// <summary>L2 norm ε of each perturbed embedding row's adversarial perturbation.</summary>
        [HyperParameter("epsilon", "--epsilon", "APR perturbation norm ε.", Min = 0, SearchMin = 0.01, SearchMax = 2, SearchLogScale = true)]
        public double Epsilon { get; set; } = AdversarialDefaults.Epsilon;

        /// <summary>Weight λ of the adversarial loss; 0 trains plain BPR.</summary>
        [HyperParameter("adversarial_weight", "--adv-weight", "APR adversarial weight λ (bpr: 0).", Min = 0, SearchMin = 0.01, SearchMax = 10, SearchLogScale = true)]
        public double AdversarialWeight { get; set; } = AdversarialDefaults.AdversarialWeight;

        /// <summary>
        /// Epochs of plain BPR pre-training before the adversarial term is switched on. Null: half of
        /// <see cref="FactorizationTrainerOptions.Epochs"/>. The APR paper starts from a trained BPR model; switched
        /// on from the first epoch, the perturbations (ε relative to tiny initial embeddings) keep the model near ItemPop.
        /// </summary>
        [HyperParameter("adversarial_start_epoch", "--adv-start", "Epochs of plain BPR pre-training before the adversarial term (APR; default: half of --epochs, as APR starts from a trained BPR model).", Min = 0, ValueName = "N", RecordedAs = nameof(EffectiveAdversarialStartEpoch))]
        public int? AdversarialStartEpoch { get; set; }

        /// <summary>The epoch after which the adversarial term is active: <see cref="AdversarialStartEpoch"/>, or half of the epochs when it is null.</summary>
        public int EffectiveAdversarialStartEpoch => AdversarialStartEpoch ?? Epochs / 2;

        /// <summary>Continue from this checkpoint (from <see cref="RecommenderTransformer.Checkpoint"/> or a file) instead of a fresh initialisation.</summary>
        [NotHyperParameter("training state to continue from")]
        public TrainingCheckpoint? ResumeFrom { get; set; }

        /// <summary>The model kind written into exported metadata.</summary>
        internal string ModelKind => (ItemText is null ? "" : "hybrid-") + (AdversarialWeight > 0 ? "apr-mf" : "bpr-mf");
    }

    private readonly MLContext _mlContext;
    private readonly Options _options;

    internal AprTrainer(MLContext mlContext, Options options)
    {
        _mlContext = mlContext ?? throw new ArgumentNullException(nameof(mlContext));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _options.Validate();
    }

    /// <summary>Trains on <paramref name="input"/> and returns the serving transformer.</summary>
    /// <remarks>
    /// Input behaviour: repeated (user, item) rows collapse into one positive; rows rated below
    /// <see cref="RecommenderTrainerOptions.MinRating"/> are not positives but still add their user and item to the
    /// catalogue; ids are labels, not indices, so negative and very large integer ids are ordinary ids. A single user or
    /// a single item trains as long as every user has at least one item it has no positive for (a negative to sample).
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has an unsupported type (the message names it).</exception>
    /// <exception cref="ArgumentException">The data has no rows, or no row at or above MinRating.</exception>
    /// <exception cref="InvalidDataException">A row has a missing, NaN, fractional or out-of-range id or a non-finite rating (the message names the column and row).</exception>
    /// <exception cref="InvalidOperationException">Some user has every item as a positive; the checkpoint to resume from does not fit; training diverged.</exception>
    /// <exception cref="OperationCanceledException">The options' cancellation token was cancelled (checked before every batch; the last checkpoint file stays intact).</exception>
    public RecommenderTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = _options;
        var host = ((IHostEnvironment)_mlContext).Register(nameof(AprTrainer));
        using var channel = host.Start(nameof(AprTrainer));

        var table = DataViewInteractionReader.Read(input, o.UserColumnName, o.ItemColumnName, o.RatingColumnName, o.CancellationToken);
        var train = InteractionData.FromTable(table, o.MinRating);
        channel.Info(MessageSensitivity.None, $"{o.ModelKind}: {train.Count} positives, {train.Users.Count} users, {train.Items.Count} items");

        InteractionData? validation = null;
        if (o.ValidationData is not null)
        {
            var validationTable = DataViewInteractionReader.Read(o.ValidationData, o.UserColumnName, o.ItemColumnName, o.RatingColumnName, o.CancellationToken);
            validation = InteractionData.FromTable(validationTable, train.Users, train.Items, o.MinRating, out int unknown);
            if (unknown > 0) channel.Warning(MessageSensitivity.None, $"{unknown} validation rows name users or items absent from the training data and are ignored.");
        }

        int seed = o.Seed ?? host.Rand.Next();
        void Log(string message) => channel.Info(MessageSensitivity.None, message);
        if (o.ItemText is null)
        {
            var result = Train(train, validation, seed, Log, out var checkpoint);
            return RecommenderTransformer.Create(_mlContext, input, train, result.AsRecommender(), checkpoint, o, o.ModelKind, HyperParameters());
        }
        var hybrid = TrainHybrid(train, validation, seed, Log, out var hybridCheckpoint);
        // Items that have text but no rows join the catalogue as new items, exactly as after training (WithNewItems).
        var model = hybrid.Model.WithNewItems(o.ItemText);
        if (model.Items.Count > train.Items.Count)
        {
            channel.Info(MessageSensitivity.None, $"{model.Items.Count - train.Items.Count} items with text but no interactions added to the catalogue");
            train = train.WithVocabularies(train.Users, model.Items);
        }
        return RecommenderTransformer.Create(_mlContext, input, train, new TrainingResult<IRecommenderModel>(model, hybrid.History, hybrid.SelectedEpoch),
            hybridCheckpoint, o, o.ModelKind, HyperParameters());
    }

    /// <summary>
    /// Trains on already indexed positives, without ML.NET: the low-level entry point used by <see cref="Fit"/>,
    /// the command-line tool and the benchmarks. <paramref name="validation"/> must use <paramref name="train"/>'s vocabularies.
    /// </summary>
    /// <exception cref="InvalidOperationException"><see cref="FactorizationTrainerOptions.ItemText"/> is set: call <see cref="TrainHybrid"/>.</exception>
    public TrainingResult<FactorizationModel> Train(InteractionData train, InteractionData? validation, int seed, Action<string>? log, out TrainingCheckpoint checkpoint)
    {
        if (_options.ItemText is not null)
            throw new InvalidOperationException("Options.ItemText is set, so the trainer makes a hybrid model: call TrainHybrid.");
        var result = TrainAny(train, validation, seed, log, out checkpoint);
        return new TrainingResult<FactorizationModel>((FactorizationModel)result.Model, result.History, result.SelectedEpoch);
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
        if (_options.ItemText is null)
            throw new InvalidOperationException("Options.ItemText is not set: a hybrid model needs item text embeddings (or call Train for the id-only model).");
        var result = TrainAny(train, validation, seed, log, out checkpoint);
        return new TrainingResult<HybridFactorizationModel>((HybridFactorizationModel)result.Model, result.History, result.SelectedEpoch);
    }

    private TrainingResult<IRecommenderModel> TrainAny(InteractionData train, InteractionData? validation, int seed, Action<string>? log, out TrainingCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(train);
        var o = _options;
        Func<IRecommenderModel, double>? validate = null;
        if (validation is not null)
        {
            var evaluator = new RankingEvaluator(new RankingEvaluator.Options { Ks = [o.ValidationK] });
            validate = model => evaluator.Evaluate(new RecommenderModelScorer(model, train.Users, train.Items), train, validation).At(o.ValidationK).Ndcg;
        }
        var engine = new PairwiseTrainingEngine(o, o.Epsilon, o.AdversarialWeight, o.EffectiveAdversarialStartEpoch, seed, log);
        var result = engine.Train(train, validate, o.ResumeFrom);
        checkpoint = engine.LastCheckpoint!;
        return result;
    }

    /// <summary>The hyper-parameters recorded in the exported ONNX metadata: the declared ones, and which data was hidden or added.</summary>
    internal IReadOnlyDictionary<string, string> HyperParameters()
    {
        var o = _options;
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

    /// <summary>The input schema plus the score column; checks the id and rating columns.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => ScoreColumnShape.AppendForTrainer(_mlContext, inputSchema, _options);
}
