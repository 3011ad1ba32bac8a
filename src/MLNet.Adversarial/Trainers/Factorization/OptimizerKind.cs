namespace MLNet.Adversarial.Trainers;

/// <summary>The gradient optimiser used for the embeddings.</summary>
public enum OptimizerKind
{
    /// <summary>Adam (Kingma and Ba, 2015).</summary>
    Adam,
    /// <summary>Adagrad (Duchi et al., 2011), the optimiser of the APR paper.</summary>
    Adagrad,
}
