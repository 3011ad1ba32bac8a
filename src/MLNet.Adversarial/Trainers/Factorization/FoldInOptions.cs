namespace MLNet.Adversarial.Trainers;

/// <summary>
/// How <see cref="FoldIn"/> solves a new user's (or item's) vector with the other side fixed: the training objective
/// (BPR loss, the model's L2 and, for APR, the adversarial term), minimised with full-batch Adam over a seeded sample
/// of negatives. The same options and seed give the same vectors.
/// </summary>
public sealed record FoldInOptions
{
    /// <summary>Default values.</summary>
    public static class Defaults
    {
        /// <summary>Default <see cref="Steps"/>.</summary>
        public const int Steps = 200;
        /// <summary>Default <see cref="LearningRate"/>.</summary>
        public const double LearningRate = 0.05;
        /// <summary>Default <see cref="NegativesPerPositive"/>.</summary>
        public const int NegativesPerPositive = 16;
    }

    /// <summary>The model's L2 regularisation λ (each pair adds λ‖row‖², as in training).</summary>
    public double L2Regularization { get; init; } = FactorizationTrainerOptions.Defaults.L2Regularization;

    /// <summary>APR's ε (used when <see cref="AdversarialWeight"/> is positive).</summary>
    public double Epsilon { get; init; } = AprTrainer.Options.AdversarialDefaults.Epsilon;

    /// <summary>APR's λ; 0 (the default): plain BPR, no adversarial term.</summary>
    public double AdversarialWeight { get; init; }

    /// <summary>Whether a folded-in item gets a bias of its own (as the model was trained); otherwise its bias is 0.</summary>
    public bool UseItemBias { get; init; } = true;

    /// <summary>Adam steps on the whole objective of each user or item.</summary>
    public int Steps { get; init; } = Defaults.Steps;

    /// <summary>Adam's learning rate.</summary>
    public double LearningRate { get; init; } = Defaults.LearningRate;

    /// <summary>Negatives drawn (once, seeded) for each positive; all the non-positives when the catalogue has fewer.</summary>
    public int NegativesPerPositive { get; init; } = Defaults.NegativesPerPositive;

    /// <summary>The seed of the negative sample.</summary>
    public int Seed { get; init; }

    /// <summary>The objective a trained model's options define (L2, APR's ε and λ when the model is APR, item bias).</summary>
    public static FoldInOptions For(AprTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new FoldInOptions
        {
            L2Regularization = options.EffectiveL2Regularization, Epsilon = options.Epsilon, AdversarialWeight = options.AdversarialWeight,
            UseItemBias = options.UseItemBias, Seed = options.Seed ?? 0,
        };
    }

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (!(L2Regularization >= 0) || double.IsInfinity(L2Regularization)) throw new ArgumentOutOfRangeException(nameof(L2Regularization), "L2Regularization must be finite and at least 0.");
        if (!(Epsilon >= 0) || double.IsInfinity(Epsilon)) throw new ArgumentOutOfRangeException(nameof(Epsilon), "Epsilon must be finite and at least 0.");
        if (!(AdversarialWeight >= 0) || double.IsInfinity(AdversarialWeight)) throw new ArgumentOutOfRangeException(nameof(AdversarialWeight), "AdversarialWeight must be finite and at least 0.");
        if (Steps < 1 || Steps > 100_000) throw new ArgumentOutOfRangeException(nameof(Steps), "Steps must be between 1 and 100000.");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new ArgumentOutOfRangeException(nameof(LearningRate), "LearningRate must be finite and positive.");
        if (NegativesPerPositive < 1 || NegativesPerPositive > 4096) throw new ArgumentOutOfRangeException(nameof(NegativesPerPositive), "NegativesPerPositive must be between 1 and 4096.");
    }
}
