using Microsoft.ML;
using MLNet.Adversarial.Text;
using MLNet.Adversarial.Serving;
using MLNet.Adversarial.Trainers;
using MLNet.Adversarial.Tuning;

namespace MLNet.Adversarial;

/// <summary>Entry point: <c>mlContext.Adversarial()</c>.</summary>
public static class MLContextAdversarialExtensions
{
    /// <summary>
    /// The adversarial recommender catalog of <paramref name="mlContext"/>. The first call also registers this
    /// library with the context's component catalog, which <c>mlContext.Model.Load</c> needs for saved recommenders.
    /// </summary>
    public static AdversarialCatalog Adversarial(this MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        mlContext.ComponentCatalog.RegisterAssembly(typeof(AdversarialCatalog).Assembly);
        return new AdversarialCatalog(mlContext);
    }
}

/// <summary>Trainers and helpers for adversarial recommendation, reached through <c>mlContext.Adversarial()</c>.</summary>
public sealed class AdversarialCatalog
{
    private readonly MLContext _mlContext;

    internal AdversarialCatalog(MLContext mlContext)
    {
        _mlContext = mlContext;
        Trainers = new AdversarialTrainersCatalog(mlContext);
        Transforms = new AdversarialTransformsCatalog(mlContext);
    }

    /// <summary>The transforms (text embedding).</summary>
    public AdversarialTransformsCatalog Transforms { get; }

    /// <summary>The trainers.</summary>
    public AdversarialTrainersCatalog Trainers { get; }

    /// <summary>
    /// Tunes the trainers of <paramref name="options"/> on <paramref name="data"/> (training rows only): a search over their
    /// declared hyper-parameter spaces with successive halving over epochs, scored on a per-user validation split of
    /// <paramref name="data"/>, and the winner refit on all of it (see <see cref="RecommenderTuner"/>).
    /// </summary>
    public TuningResult Tune(IDataView data, TuningOptions options) => new RecommenderTuner(_mlContext, options).Tune(data);

    /// <summary>
    /// Loads a model saved with <c>mlContext.Model.Save</c> (a fitted recommender or a pipeline ending in one), like
    /// <c>mlContext.Model.Load</c>, but a damaged file gives an <see cref="InvalidDataException"/> naming it instead of
    /// an exception from deep inside the zip reader, ML.NET or ONNX Runtime.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is truncated, corrupt or not a saved ML.NET model.</exception>
    public ITransformer LoadModel(string path, out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Model file '{path}' does not exist.", path);
        try
        {
            using var stream = File.OpenRead(path);
            return _mlContext.Model.Load(stream, out inputSchema);
        }
        catch (Exception e) when (e is not (OutOfMemoryException or OperationCanceledException or UnauthorizedAccessException))
        {
            throw new InvalidDataException($"'{path}' is not a complete saved model (truncated or corrupt): {FirstLine(e.Message)}", e);
        }
    }

    /// <summary>
    /// A <see cref="PredictionEngine{TSrc, TDst}"/> over <paramref name="model"/> that does not own it. ML.NET's
    /// <c>mlContext.Model.CreatePredictionEngine</c> owns the transformer by default, so disposing any one engine
    /// disposes the shared model and its ONNX Runtime session under every other engine (dotnet/machinelearning#5945).
    /// Use one engine per thread (an engine is not thread-safe; the model and its session are) and dispose the
    /// model itself when done.
    /// </summary>
    public PredictionEngine<TSrc, TDst> CreatePredictionEngine<TSrc, TDst>(ITransformer model)
        where TSrc : class
        where TDst : class, new()
    {
        ArgumentNullException.ThrowIfNull(model);
        return _mlContext.Model.CreatePredictionEngine<TSrc, TDst>(model, new PredictionEngineOptions { OwnsTransformer = false });
    }

    private static string FirstLine(string message) => message.Split('\n')[0].TrimEnd();
}

/// <summary>The adversarial recommender trainers.</summary>
public sealed class AdversarialTrainersCatalog
{
    private readonly MLContext _mlContext;

    internal AdversarialTrainersCatalog(MLContext mlContext) => _mlContext = mlContext;

    /// <summary>Adversarial Personalized Ranking on BPR matrix factorisation.</summary>
    public AprTrainer Apr(AprTrainer.Options options) => new(_mlContext, options);

    /// <summary>Adversarial Personalized Ranking with the most common options.</summary>
    /// <param name="userColumnName">User id column (key, integer or text).</param>
    /// <param name="itemColumnName">Item id column (key, integer or text).</param>
    /// <param name="epsilon">L2 norm of the adversarial perturbation of each embedding row.</param>
    /// <param name="adversarialWeight">Weight λ of the adversarial loss.</param>
    /// <param name="embeddingDimension">Embedding size.</param>
    /// <param name="epochs">The maximum number of training epochs (early stopping on the internal validation split usually ends training first).</param>
    public AprTrainer Apr(string userColumnName = RecommenderTrainerOptions.Defaults.UserColumnName,
        string itemColumnName = RecommenderTrainerOptions.Defaults.ItemColumnName,
        double epsilon = AprTrainer.Options.AdversarialDefaults.Epsilon,
        double adversarialWeight = AprTrainer.Options.AdversarialDefaults.AdversarialWeight,
        int embeddingDimension = FactorizationTrainerOptions.Defaults.EmbeddingDimension,
        int epochs = FactorizationTrainerOptions.Defaults.Epochs) =>
        Apr(new AprTrainer.Options
        {
            UserColumnName = userColumnName, ItemColumnName = itemColumnName, Epsilon = epsilon,
            AdversarialWeight = adversarialWeight, EmbeddingDimension = embeddingDimension, Epochs = epochs,
        });

    /// <summary>IRGAN (Wang et al., SIGIR 2017): a softmax generator and a pointwise discriminator, both matrix factorisations, in a minimax game; G starts from BPR.</summary>
    public IrganTrainer Irgan(IrganTrainer.Options options) => new(_mlContext, options);

    /// <summary>CFGAN: a generator of purchase vectors trained against a discriminator (Chae et al., CIKM 2018).</summary>
    public CfganTrainer Cfgan(CfganTrainer.Options options) => new(_mlContext, options);

    /// <summary>The trainer of <paramref name="options"/>: APR's options train APR, or BPR when their adversarial weight is 0; IRGAN's and CFGAN's train those.</summary>
    public IEstimator<RecommenderTransformer> For(RecommenderTrainerOptions options) => TrainerSearchSpace.Estimator(_mlContext, options);

    /// <summary>Plain BPR matrix factorisation: <see cref="Apr(AprTrainer.Options)"/> with the adversarial weight 0 (on a copy: <paramref name="options"/> is not changed).</summary>
    public AprTrainer Bpr(AprTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var bpr = options.Clone();
        bpr.AdversarialWeight = 0;
        return new AprTrainer(_mlContext, bpr);
    }
}

/// <summary>The transforms, reached through <c>mlContext.Adversarial().Transforms</c>.</summary>
public sealed class AdversarialTransformsCatalog
{
    private readonly MLContext _mlContext;

    internal AdversarialTransformsCatalog(MLContext mlContext) => _mlContext = mlContext;

    /// <summary>
    /// Embeds the text column <paramref name="inputColumnName"/> into the float vector column
    /// <paramref name="outputColumnName"/> with a pretrained transformer encoder: all-MiniLM-L6-v2 (384 dimensions)
    /// unless <paramref name="options"/> names a model and vocabulary. With the built-in MiniLM the fitted transform saves and loads with <c>mlContext.Model.Save/Load</c>; with a custom encoder it cannot be saved (see <see cref="TextEmbeddingTransformer"/>).
    /// </summary>
    public TextEmbeddingEstimator EmbedText(string outputColumnName, string? inputColumnName = null, TextEncoder.Options? options = null) =>
        new(_mlContext, outputColumnName, inputColumnName ?? outputColumnName, options, encoder: null);

    /// <summary>Embeds the text column with an encoder the caller owns (and disposes); the transformer never disposes it.</summary>
    public TextEmbeddingEstimator EmbedText(string outputColumnName, string inputColumnName, TextEncoder encoder)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        return new(_mlContext, outputColumnName, inputColumnName, options: null, encoder);
    }
}
