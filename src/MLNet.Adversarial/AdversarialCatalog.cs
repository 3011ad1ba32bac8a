using Microsoft.ML;
using MLNet.Adversarial.Trainers;

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
    internal AdversarialCatalog(MLContext mlContext)
    {
        Trainers = new AdversarialTrainersCatalog(mlContext);
    }

    /// <summary>The trainers.</summary>
    public AdversarialTrainersCatalog Trainers { get; }
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
    /// <param name="epochs">Training epochs.</param>
    public AprTrainer Apr(string userColumnName = FactorizationTrainerOptions.Defaults.UserColumnName,
        string itemColumnName = FactorizationTrainerOptions.Defaults.ItemColumnName,
        double epsilon = AprTrainer.Options.AdversarialDefaults.Epsilon,
        double adversarialWeight = AprTrainer.Options.AdversarialDefaults.AdversarialWeight,
        int embeddingDimension = FactorizationTrainerOptions.Defaults.EmbeddingDimension,
        int epochs = FactorizationTrainerOptions.Defaults.Epochs) =>
        Apr(new AprTrainer.Options
        {
            UserColumnName = userColumnName, ItemColumnName = itemColumnName, Epsilon = epsilon,
            AdversarialWeight = adversarialWeight, EmbeddingDimension = embeddingDimension, Epochs = epochs,
        });

    /// <summary>Plain BPR matrix factorisation: <see cref="Apr(AprTrainer.Options)"/> with the adversarial weight forced to 0.</summary>
    public AprTrainer Bpr(AprTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AdversarialWeight = 0;
        return new AprTrainer(_mlContext, options);
    }
}
