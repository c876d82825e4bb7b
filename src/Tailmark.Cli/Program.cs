using Tailmark.Cli;

return await CommandRunner.RunAsync(CliRoot.Create(), args);
