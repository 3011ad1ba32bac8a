namespace MLNet.Adversarial.Tuning;

/// <summary>The trainers a tuning search can try.</summary>
public enum TunableTrainer
{
    /// <summary>BPR matrix factorisation (APR with λ = 0: the adversarial options are not searched).</summary>
    Bpr,

    /// <summary>Adversarial Personalized Ranking.</summary>
    Apr,

    /// <summary>IRGAN: G pre-trained by BPR, then the minimax game.</summary>
    Irgan,

    /// <summary>CFGAN: a generator of purchase vectors against a discriminator.</summary>
    Cfgan,
}
