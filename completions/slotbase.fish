# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_slotbase_global_optspecs
    string join \n config= redis= prefix= db= v/verbose h/help V/version
end

function __fish_slotbase_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_slotbase_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_slotbase_using_subcommand
    set -l cmd (__fish_slotbase_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c slotbase -n "__fish_slotbase_needs_command" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_needs_command" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_needs_command" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_needs_command" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_needs_command" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c slotbase -n "__fish_slotbase_needs_command" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_needs_command" -f -a "emit" -d 'Publish mock events of any catalogued type'
complete -c slotbase -n "__fish_slotbase_needs_command" -f -a "events" -d 'The event catalog: types, fields, examples'
complete -c slotbase -n "__fish_slotbase_needs_command" -f -a "queue" -d 'Inspect and operate queues (Redis in Bull\'s layout, or embedded)'
complete -c slotbase -n "__fish_slotbase_needs_command" -f -a "webhook" -d 'Webhook endpoints, signing and verification'
complete -c slotbase -n "__fish_slotbase_needs_command" -f -a "dlq" -d 'Dead letters: list, show, replay, ignore, purge'
complete -c slotbase -n "__fish_slotbase_needs_command" -f -a "prefs" -d 'Per-user notification preferences'
complete -c slotbase -n "__fish_slotbase_needs_command" -f -a "notifications" -d 'Notifications the daemon created'
complete -c slotbase -n "__fish_slotbase_needs_command" -f -a "daemon" -d 'Run processors, handlers and the HTTP listener (for systemd: Type=notify)'
complete -c slotbase -n "__fish_slotbase_needs_command" -f -a "config" -d 'Validate or show the configuration'
complete -c slotbase -n "__fish_slotbase_needs_command" -f -a "bench" -d 'Measure this machine\'s queue throughput and latency'
complete -c slotbase -n "__fish_slotbase_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c slotbase -n "__fish_slotbase_needs_command" -f -a "man" -d 'Print the man page (roff)'
complete -c slotbase -n "__fish_slotbase_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c slotbase -n "__fish_slotbase_using_subcommand emit" -l set -d 'Override a field, typed by the catalog: data.userId=user_001, data.priceAmount=45.5, data.isRecurring=true, data.participants=\'[...]\' (repeatable)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand emit" -l data -d 'JSON merged over the generated data (or over the envelope if it has a "data" key): inline JSON, @FILE, or - for stdin' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand emit" -l count -d 'How many events to publish (each with fresh ids and data)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand emit" -l rate -d 'Publish at most this many events per second, e.g. 50 or 50/s' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand emit" -l format -d 'Envelope: domain (seed-2 DomainEvent) or legacy (seed-1 {eventType, eventId, timestamp, data}); default from emit.format' -r -f -a "domain\t'The seed-2 `DomainEvent` envelope: id, type, version, timestamp, occurredAt, source, correlationId, causationId, facilityId/userId/organizationId, data, metadata'
legacy\t'The seed-1 booking-service shape: `{eventType, eventId, timestamp, data}`'"
complete -c slotbase -n "__fish_slotbase_using_subcommand emit" -l queue -d 'Target queue (default: emit.domain_queue or emit.legacy_queue)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand emit" -l job-name -d 'Bull job name (default: emit.domain_job_name, or booking-event for legacy)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand emit" -l seed -d 'Seed for reproducible mock data' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand emit" -l attempts -d 'Total tries of each job (default: emit.attempts)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand emit" -l delay -d 'Delay before the job becomes waiting, e.g. 30s or 5m' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand emit" -l priority -d 'Bull priority (1 is highest)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand emit" -l job-id -d 'Custom job id (dedupes: a job with this id is added once); only with --count 1' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand emit" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand emit" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand emit" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand emit" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand emit" -l print -d 'Print the events as JSON lines and send nothing'
complete -c slotbase -n "__fish_slotbase_using_subcommand emit" -l lifo -d 'Run next instead of last'
complete -c slotbase -n "__fish_slotbase_using_subcommand emit" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand emit" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c slotbase -n "__fish_slotbase_using_subcommand emit" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and not __fish_seen_subcommand_from list show trace tail help" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and not __fish_seen_subcommand_from list show trace tail help" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and not __fish_seen_subcommand_from list show trace tail help" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and not __fish_seen_subcommand_from list show trace tail help" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and not __fish_seen_subcommand_from list show trace tail help" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and not __fish_seen_subcommand_from list show trace tail help" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and not __fish_seen_subcommand_from list show trace tail help" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and not __fish_seen_subcommand_from list show trace tail help" -f -a "list" -d 'Every event type of both seeds, with the seed that defines it'
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and not __fish_seen_subcommand_from list show trace tail help" -f -a "show" -d 'One type\'s fields with their types, and a generated example'
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and not __fish_seen_subcommand_from list show trace tail help" -f -a "trace" -d 'What the daemon did with one event: handlers, notifications, dead letters'
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and not __fish_seen_subcommand_from list show trace tail help" -f -a "tail" -d 'Stream the handler runs the daemon records, as it records them'
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and not __fish_seen_subcommand_from list show trace tail help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and __fish_seen_subcommand_from list" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and __fish_seen_subcommand_from list" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and __fish_seen_subcommand_from list" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and __fish_seen_subcommand_from list" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and __fish_seen_subcommand_from list" -l json -d 'Print JSON'
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and __fish_seen_subcommand_from show" -l format -d 'Which form\'s fields to show: domain (seed 2) or legacy (seed 1)' -r -f -a "domain\t'The seed-2 `DomainEvent` envelope: id, type, version, timestamp, occurredAt, source, correlationId, causationId, facilityId/userId/organizationId, data, metadata'
legacy\t'The seed-1 booking-service shape: `{eventType, eventId, timestamp, data}`'"
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and __fish_seen_subcommand_from show" -l seed -d 'Seed for the example' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and __fish_seen_subcommand_from show" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and __fish_seen_subcommand_from show" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and __fish_seen_subcommand_from show" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and __fish_seen_subcommand_from show" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and __fish_seen_subcommand_from show" -l json -d 'Print JSON'
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and __fish_seen_subcommand_from trace" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and __fish_seen_subcommand_from trace" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and __fish_seen_subcommand_from trace" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and __fish_seen_subcommand_from trace" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and __fish_seen_subcommand_from trace" -l json -d 'Print JSON'
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and __fish_seen_subcommand_from trace" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and __fish_seen_subcommand_from trace" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and __fish_seen_subcommand_from trace" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and __fish_seen_subcommand_from tail" -s n -l last -d 'Start with this many past lines' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and __fish_seen_subcommand_from tail" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and __fish_seen_subcommand_from tail" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and __fish_seen_subcommand_from tail" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and __fish_seen_subcommand_from tail" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and __fish_seen_subcommand_from tail" -l no-follow -d 'Print the past lines and stop'
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and __fish_seen_subcommand_from tail" -l json -d 'One JSON object per line'
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and __fish_seen_subcommand_from tail" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and __fish_seen_subcommand_from tail" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and __fish_seen_subcommand_from tail" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and __fish_seen_subcommand_from help" -f -a "list" -d 'Every event type of both seeds, with the seed that defines it'
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and __fish_seen_subcommand_from help" -f -a "show" -d 'One type\'s fields with their types, and a generated example'
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and __fish_seen_subcommand_from help" -f -a "trace" -d 'What the daemon did with one event: handlers, notifications, dead letters'
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and __fish_seen_subcommand_from help" -f -a "tail" -d 'Stream the handler runs the daemon records, as it records them'
complete -c slotbase -n "__fish_slotbase_using_subcommand events; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and not __fish_seen_subcommand_from stats list show drain clean pause resume retry remove promote help" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and not __fish_seen_subcommand_from stats list show drain clean pause resume retry remove promote help" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and not __fish_seen_subcommand_from stats list show drain clean pause resume retry remove promote help" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and not __fish_seen_subcommand_from stats list show drain clean pause resume retry remove promote help" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and not __fish_seen_subcommand_from stats list show drain clean pause resume retry remove promote help" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and not __fish_seen_subcommand_from stats list show drain clean pause resume retry remove promote help" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and not __fish_seen_subcommand_from stats list show drain clean pause resume retry remove promote help" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and not __fish_seen_subcommand_from stats list show drain clean pause resume retry remove promote help" -f -a "stats" -d 'Counts per state for every queue (waiting, active, delayed, paused, completed, failed, prioritized, age of the oldest waiting job)'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and not __fish_seen_subcommand_from stats list show drain clean pause resume retry remove promote help" -f -a "list" -d 'Jobs in one state'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and not __fish_seen_subcommand_from stats list show drain clean pause resume retry remove promote help" -f -a "show" -d 'One job: data, options, times, attempts, failure reason, stack trace, logs'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and not __fish_seen_subcommand_from stats list show drain clean pause resume retry remove promote help" -f -a "drain" -d 'Remove every waiting job (and delayed ones with --delayed)'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and not __fish_seen_subcommand_from stats list show drain clean pause resume retry remove promote help" -f -a "clean" -d 'Remove jobs in a state older than a duration'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and not __fish_seen_subcommand_from stats list show drain clean pause resume retry remove promote help" -f -a "pause" -d 'Pause a queue: workers stop taking jobs; new jobs are kept'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and not __fish_seen_subcommand_from stats list show drain clean pause resume retry remove promote help" -f -a "resume" -d 'Resume a paused queue (whoever paused it)'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and not __fish_seen_subcommand_from stats list show drain clean pause resume retry remove promote help" -f -a "retry" -d 'Move failed jobs back to waiting'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and not __fish_seen_subcommand_from stats list show drain clean pause resume retry remove promote help" -f -a "remove" -d 'Remove jobs (refused while a worker holds them)'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and not __fish_seen_subcommand_from stats list show drain clean pause resume retry remove promote help" -f -a "promote" -d 'Move delayed jobs to waiting now'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and not __fish_seen_subcommand_from stats list show drain clean pause resume retry remove promote help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from stats" -l watch -d 'Redraw every SECS seconds (default 2) until interrupted' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from stats" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from stats" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from stats" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from stats" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from stats" -l json -d 'Print JSON'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from stats" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from stats" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from stats" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from list" -l state -d 'wait, active, delayed, paused, completed or failed' -r -f -a "wait\t'Ready to run (Bull\'s `wait` list; `waiting` in Bull\'s API)'
active\t'Claimed by a worker that holds its lock'
delayed\t'Scheduled for later: added with a delay, or waiting out a retry backoff'
paused\t'Ready to run but the queue is paused'
completed\t''
failed\t''"
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from list" -l limit -r
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from list" -l offset -r
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from list" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from list" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from list" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from list" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from list" -l json -d 'Print JSON'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from show" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from show" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from show" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from show" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from show" -l json -d 'Print JSON'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from drain" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from drain" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from drain" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from drain" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from drain" -l delayed -d 'Remove delayed jobs too'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from drain" -s y -l yes -d 'Do not ask for confirmation'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from drain" -l dry-run -d 'Show what would be removed; change nothing'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from drain" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from drain" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from drain" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from clean" -l state -d 'completed, failed, wait, delayed, paused or active' -r -f -a "wait\t'Ready to run (Bull\'s `wait` list; `waiting` in Bull\'s API)'
active\t'Claimed by a worker that holds its lock'
delayed\t'Scheduled for later: added with a delay, or waiting out a retry backoff'
paused\t'Ready to run but the queue is paused'
completed\t''
failed\t''"
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from clean" -l older-than -d 'Age threshold, e.g. 1h, 7d' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from clean" -l limit -d 'Remove at most this many' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from clean" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from clean" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from clean" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from clean" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from clean" -l dry-run -d 'Count what would be removed; change nothing'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from clean" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from clean" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from clean" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from pause" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from pause" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from pause" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from pause" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from pause" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from pause" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from pause" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from resume" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from resume" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from resume" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from resume" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from resume" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from resume" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from resume" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from retry" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from retry" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from retry" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from retry" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from retry" -l all -d 'Every failed job (no cap)'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from retry" -l json -d 'Print JSON'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from retry" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from retry" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from retry" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from remove" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from remove" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from remove" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from remove" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from remove" -l json -d 'Print JSON'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from remove" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from promote" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from promote" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from promote" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from promote" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from promote" -l all -d 'Every delayed job'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from promote" -l json -d 'Print JSON'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from promote" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from promote" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from promote" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from help" -f -a "stats" -d 'Counts per state for every queue (waiting, active, delayed, paused, completed, failed, prioritized, age of the oldest waiting job)'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from help" -f -a "list" -d 'Jobs in one state'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from help" -f -a "show" -d 'One job: data, options, times, attempts, failure reason, stack trace, logs'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from help" -f -a "drain" -d 'Remove every waiting job (and delayed ones with --delayed)'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from help" -f -a "clean" -d 'Remove jobs in a state older than a duration'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from help" -f -a "pause" -d 'Pause a queue: workers stop taking jobs; new jobs are kept'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from help" -f -a "resume" -d 'Resume a paused queue (whoever paused it)'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from help" -f -a "retry" -d 'Move failed jobs back to waiting'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove jobs (refused while a worker holds them)'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from help" -f -a "promote" -d 'Move delayed jobs to waiting now'
complete -c slotbase -n "__fish_slotbase_using_subcommand queue; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and not __fish_seen_subcommand_from add list show update remove enable disable rotate-secret deliveries redeliver test preview sign verify new-secret help" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and not __fish_seen_subcommand_from add list show update remove enable disable rotate-secret deliveries redeliver test preview sign verify new-secret help" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and not __fish_seen_subcommand_from add list show update remove enable disable rotate-secret deliveries redeliver test preview sign verify new-secret help" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and not __fish_seen_subcommand_from add list show update remove enable disable rotate-secret deliveries redeliver test preview sign verify new-secret help" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and not __fish_seen_subcommand_from add list show update remove enable disable rotate-secret deliveries redeliver test preview sign verify new-secret help" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and not __fish_seen_subcommand_from add list show update remove enable disable rotate-secret deliveries redeliver test preview sign verify new-secret help" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and not __fish_seen_subcommand_from add list show update remove enable disable rotate-secret deliveries redeliver test preview sign verify new-secret help" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and not __fish_seen_subcommand_from add list show update remove enable disable rotate-secret deliveries redeliver test preview sign verify new-secret help" -f -a "add" -d 'Register a facility endpoint; prints its signing secret once'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and not __fish_seen_subcommand_from add list show update remove enable disable rotate-secret deliveries redeliver test preview sign verify new-secret help" -f -a "list" -d 'Endpoints, with their status (disabled ones say why)'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and not __fish_seen_subcommand_from add list show update remove enable disable rotate-secret deliveries redeliver test preview sign verify new-secret help" -f -a "show" -d 'One endpoint, secrets and credentials masked'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and not __fish_seen_subcommand_from add list show update remove enable disable rotate-secret deliveries redeliver test preview sign verify new-secret help" -f -a "update" -d 'Change an endpoint (flags as for add; --events replaces the list)'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and not __fish_seen_subcommand_from add list show update remove enable disable rotate-secret deliveries redeliver test preview sign verify new-secret help" -f -a "remove" -d 'Delete an endpoint (its delivery log stays)'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and not __fish_seen_subcommand_from add list show update remove enable disable rotate-secret deliveries redeliver test preview sign verify new-secret help" -f -a "enable" -d 'Send deliveries to an endpoint again (clears its disable reason)'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and not __fish_seen_subcommand_from add list show update remove enable disable rotate-secret deliveries redeliver test preview sign verify new-secret help" -f -a "disable" -d 'Stop deliveries to an endpoint'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and not __fish_seen_subcommand_from add list show update remove enable disable rotate-secret deliveries redeliver test preview sign verify new-secret help" -f -a "rotate-secret" -d 'Replace the signing secret; the old one keeps signing during the grace period'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and not __fish_seen_subcommand_from add list show update remove enable disable rotate-secret deliveries redeliver test preview sign verify new-secret help" -f -a "deliveries" -d 'The delivery log: one row per attempt, newest first'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and not __fish_seen_subcommand_from add list show update remove enable disable rotate-secret deliveries redeliver test preview sign verify new-secret help" -f -a "redeliver" -d 'Send a delivery again now, from this process, and record the attempt'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and not __fish_seen_subcommand_from add list show update remove enable disable rotate-secret deliveries redeliver test preview sign verify new-secret help" -f -a "test" -d 'Send a mock event to an endpoint now and print what it answered'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and not __fish_seen_subcommand_from add list show update remove enable disable rotate-secret deliveries redeliver test preview sign verify new-secret help" -f -a "preview" -d 'Print the body an endpoint would receive for an event (its mapping applied)'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and not __fish_seen_subcommand_from add list show update remove enable disable rotate-secret deliveries redeliver test preview sign verify new-secret help" -f -a "sign" -d 'Sign a payload and print the signature and the headers to send'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and not __fish_seen_subcommand_from add list show update remove enable disable rotate-secret deliveries redeliver test preview sign verify new-secret help" -f -a "verify" -d 'Check a signature, or a captured request, and explain why it does not verify'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and not __fish_seen_subcommand_from add list show update remove enable disable rotate-secret deliveries redeliver test preview sign verify new-secret help" -f -a "new-secret" -d 'Print a new Standard Webhooks secret (whsec_ + base64 of 32 random bytes)'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and not __fish_seen_subcommand_from add list show update remove enable disable rotate-secret deliveries redeliver test preview sign verify new-secret help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from add" -l facility -d 'The facility whose events this endpoint receives' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from add" -l url -d 'Deliveries go to this http:// or https:// URL' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from add" -l events -d 'Event types to deliver, comma-separated (slotbase events list shows them)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from add" -l name -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from add" -l description -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from add" -l method -r -f -a "POST\t''
PUT\t''"
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from add" -l auth -d 'Credentials the receiver checks besides the signature (default: inferred from the credential flags, else signature)' -r -f -a "none\t'No credentials (the signature still goes with every delivery)'
header\t'A custom header (--header-name, --header-value)'
basic\t'HTTP Basic (--username, --password)'
bearer\t'Authorization: Bearer (--bearer-token)'
signature\t'Only the signature (the seed\'s authConfig.signingSecret)'"
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from add" -l header-name -d 'Header name for --auth header' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from add" -l header-value -d 'Header value for --auth header' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from add" -l username -d 'User for --auth basic' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from add" -l password -d 'Password for --auth basic' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from add" -l bearer-token -d 'Token for --auth bearer' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from add" -l resource -d 'Only events whose data.resourceId is one of these (repeat)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from add" -l booking-type -d 'Only events whose data.bookingType is one of these (repeat)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from add" -l max-retries -d 'Retries after the first attempt' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from add" -l retry-delay -d 'First retry delay, e.g. 1s, 500ms, 5m' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from add" -l backoff-multiplier -d 'Growth of each further delay (at least 1.0)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from add" -l scheme -d 'Signature headers: slotbase (X-SlotBase-*), standard (webhook-*) or both' -r -f -a "slotbase\t'The seed\'s X-SlotBase-Timestamp and X-SlotBase-Signature (hex HMAC)'
standard\t'Standard Webhooks\' webhook-id, webhook-timestamp, webhook-signature'
both\t'Both sets of headers'"
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from add" -l mapping -d 'Payload mapping: a JSON object of Liquid templates, inline or @file' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from add" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from add" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from add" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from add" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from add" -l any-event -d 'Accept catalogued types outside the seed\'s FACILITY_WEBHOOK_EVENTS'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from add" -l json -d 'Print JSON'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from add" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from list" -l facility -d 'Only this facility\'s endpoints' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from list" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from list" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from list" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from list" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from list" -l json -d 'Print JSON'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from show" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from show" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from show" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from show" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from show" -l json -d 'Print JSON'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from update" -l url -d 'Deliveries go to this http:// or https:// URL' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from update" -l events -d 'Event types to deliver, comma-separated (slotbase events list shows them)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from update" -l name -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from update" -l description -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from update" -l method -r -f -a "POST\t''
PUT\t''"
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from update" -l auth -d 'Credentials the receiver checks besides the signature (default: inferred from the credential flags, else signature)' -r -f -a "none\t'No credentials (the signature still goes with every delivery)'
header\t'A custom header (--header-name, --header-value)'
basic\t'HTTP Basic (--username, --password)'
bearer\t'Authorization: Bearer (--bearer-token)'
signature\t'Only the signature (the seed\'s authConfig.signingSecret)'"
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from update" -l header-name -d 'Header name for --auth header' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from update" -l header-value -d 'Header value for --auth header' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from update" -l username -d 'User for --auth basic' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from update" -l password -d 'Password for --auth basic' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from update" -l bearer-token -d 'Token for --auth bearer' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from update" -l resource -d 'Only events whose data.resourceId is one of these (repeat)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from update" -l booking-type -d 'Only events whose data.bookingType is one of these (repeat)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from update" -l max-retries -d 'Retries after the first attempt' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from update" -l retry-delay -d 'First retry delay, e.g. 1s, 500ms, 5m' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from update" -l backoff-multiplier -d 'Growth of each further delay (at least 1.0)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from update" -l scheme -d 'Signature headers: slotbase (X-SlotBase-*), standard (webhook-*) or both' -r -f -a "slotbase\t'The seed\'s X-SlotBase-Timestamp and X-SlotBase-Signature (hex HMAC)'
standard\t'Standard Webhooks\' webhook-id, webhook-timestamp, webhook-signature'
both\t'Both sets of headers'"
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from update" -l mapping -d 'Payload mapping: a JSON object of Liquid templates, inline or @file' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from update" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from update" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from update" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from update" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from update" -l any-event -d 'Accept catalogued types outside the seed\'s FACILITY_WEBHOOK_EVENTS'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from update" -l clear-filters -d 'Drop the resource and booking-type filters'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from update" -l clear-mapping -d 'Drop the payload mapping (send the event itself)'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from update" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from update" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from update" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from remove" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from remove" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from remove" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from remove" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from remove" -s y -l yes -d 'Do not ask for confirmation'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from remove" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from enable" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from enable" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from enable" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from enable" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from enable" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from enable" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from enable" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from disable" -l reason -d 'Why, shown by list and show' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from disable" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from disable" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from disable" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from disable" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from disable" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from disable" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from disable" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from rotate-secret" -l grace -d 'How long the old secret keeps signing (at most 7d)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from rotate-secret" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from rotate-secret" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from rotate-secret" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from rotate-secret" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from rotate-secret" -l json -d 'Print JSON'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from rotate-secret" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from rotate-secret" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from rotate-secret" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from deliveries" -l status -d 'delivered, retrying or failed (attempts made), or pending (deliveries queued and not sent yet, read from the webhooks queue)' -r -f -a "delivered\t''
retrying\t''
failed\t''
pending\t''"
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from deliveries" -l event -d 'Only this event\'s deliveries' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from deliveries" -l delivery -d 'Only this delivery\'s attempts' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from deliveries" -l limit -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from deliveries" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from deliveries" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from deliveries" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from deliveries" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from deliveries" -l json -d 'Print JSON (the seed\'s WebhookDelivery, one per attempt)'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from deliveries" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from deliveries" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from deliveries" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from redeliver" -l to -d 'Send to this URL instead of the endpoint\'s (e.g. a local receiver)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from redeliver" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from redeliver" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from redeliver" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from redeliver" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from redeliver" -l allow-private -d 'Let this attempt reach private and loopback addresses'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from redeliver" -l json -d 'Print JSON'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from redeliver" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from redeliver" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from redeliver" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from test" -l event -d 'The event type (default: the endpoint\'s first)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from test" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from test" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from test" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from test" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from test" -l allow-private -d 'Let this attempt reach private and loopback addresses'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from test" -l json -d 'Print JSON'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from test" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from test" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from test" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from preview" -l event -d 'The event: JSON, @file or @- for stdin' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from preview" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from preview" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from preview" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from preview" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from preview" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from preview" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from preview" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from sign" -l secret -d 'Secret to sign with; repeat during a rotation to sign with each (current first, standard scheme only)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from sign" -l timestamp -d 'Unix seconds to sign at (default: now)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from sign" -l payload -d 'The body, taken literally' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from sign" -l file -d 'Read the body from a file, byte for byte ("-" for stdin)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from sign" -l scheme -d 'slotbase: hex over "{timestamp}.{body}"; standard: Standard Webhooks v1' -r -f -a "slotbase\t'SlotBase: hex HMAC-SHA256 of "{timestamp}.{payload}", X-SlotBase-* headers'
standard\t'Standard Webhooks: v1,<base64> of "{id}.{timestamp}.{payload}", webhook-* headers'"
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from sign" -l id -d 'Message id for the standard scheme (default: a new msg_... id)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from sign" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from sign" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from sign" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from sign" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from sign" -l json -d 'Print JSON'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from sign" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from sign" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from sign" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from verify" -l secret -d 'Secret to verify with; repeat to accept any of several (rotation)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from verify" -l timestamp -d 'The timestamp header\'s value (Unix seconds)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from verify" -l signature -d 'The signature header\'s value (hex, or v1,<base64> entries separated by spaces)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from verify" -l payload -d 'The body, taken literally' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from verify" -l file -d 'Read the body from a file, byte for byte ("-" for stdin)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from verify" -l request -d 'A captured raw HTTP request (request line, headers, empty line, body; CRLF or LF): scheme, timestamp, signature and id come from its headers, the body as is' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from verify" -l scheme -d 'Scheme (default: from the signature\'s shape, or the request\'s headers)' -r -f -a "slotbase\t'SlotBase: hex HMAC-SHA256 of "{timestamp}.{payload}", X-SlotBase-* headers'
standard\t'Standard Webhooks: v1,<base64> of "{id}.{timestamp}.{payload}", webhook-* headers'"
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from verify" -l id -d 'The message id (webhook-id) for the standard scheme' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from verify" -l tolerance -d 'Allowed clock difference either way, e.g. 300, 90s, 5m' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from verify" -l now -d 'Verify as if the clock read this Unix second (tests, old captures)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from verify" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from verify" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from verify" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from verify" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from verify" -l json -d 'Print JSON'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from verify" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from verify" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from new-secret" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from new-secret" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from new-secret" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from new-secret" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from new-secret" -l json -d 'Print JSON'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from new-secret" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from new-secret" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from new-secret" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from help" -f -a "add" -d 'Register a facility endpoint; prints its signing secret once'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from help" -f -a "list" -d 'Endpoints, with their status (disabled ones say why)'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from help" -f -a "show" -d 'One endpoint, secrets and credentials masked'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from help" -f -a "update" -d 'Change an endpoint (flags as for add; --events replaces the list)'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Delete an endpoint (its delivery log stays)'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from help" -f -a "enable" -d 'Send deliveries to an endpoint again (clears its disable reason)'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from help" -f -a "disable" -d 'Stop deliveries to an endpoint'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from help" -f -a "rotate-secret" -d 'Replace the signing secret; the old one keeps signing during the grace period'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from help" -f -a "deliveries" -d 'The delivery log: one row per attempt, newest first'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from help" -f -a "redeliver" -d 'Send a delivery again now, from this process, and record the attempt'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from help" -f -a "test" -d 'Send a mock event to an endpoint now and print what it answered'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from help" -f -a "preview" -d 'Print the body an endpoint would receive for an event (its mapping applied)'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from help" -f -a "sign" -d 'Sign a payload and print the signature and the headers to send'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Check a signature, or a captured request, and explain why it does not verify'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from help" -f -a "new-secret" -d 'Print a new Standard Webhooks secret (whsec_ + base64 of 32 random bytes)'
complete -c slotbase -n "__fish_slotbase_using_subcommand webhook; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and not __fish_seen_subcommand_from list show replay ignore purge help" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and not __fish_seen_subcommand_from list show replay ignore purge help" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and not __fish_seen_subcommand_from list show replay ignore purge help" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and not __fish_seen_subcommand_from list show replay ignore purge help" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and not __fish_seen_subcommand_from list show replay ignore purge help" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and not __fish_seen_subcommand_from list show replay ignore purge help" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and not __fish_seen_subcommand_from list show replay ignore purge help" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and not __fish_seen_subcommand_from list show replay ignore purge help" -f -a "list" -d 'Dead letters, newest first'
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and not __fish_seen_subcommand_from list show replay ignore purge help" -f -a "show" -d 'One entry: the event (or raw payload) and every error'
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and not __fish_seen_subcommand_from list show replay ignore purge help" -f -a "replay" -d 'Process entries again: only the handlers that failed run, once'
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and not __fish_seen_subcommand_from list show replay ignore purge help" -f -a "ignore" -d 'Resolve entries without processing them'
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and not __fish_seen_subcommand_from list show replay ignore purge help" -f -a "purge" -d 'Delete entries for good'
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and not __fish_seen_subcommand_from list show replay ignore purge help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from list" -l type -d 'Entries of this event type' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from list" -l booking -d 'Entries about this booking (e.g. BKG-001)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from list" -l since -d 'Entries created since: a duration ago (2h, 7d) or a time (2026-11-25T10:00:00Z)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from list" -l until -d 'Entries created before: a duration ago or a time' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from list" -l status -d 'open (default), resolved or all' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from list" -l limit -r
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from list" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from list" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from list" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from list" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from list" -l all -d 'Every entry (required when no other selector is given)'
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from list" -l json -d 'Print JSON'
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from show" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from show" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from show" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from show" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from show" -l json -d 'Print JSON'
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l type -d 'Entries of this event type' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l booking -d 'Entries about this booking (e.g. BKG-001)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l since -d 'Entries created since: a duration ago (2h, 7d) or a time (2026-11-25T10:00:00Z)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l until -d 'Entries created before: a duration ago or a time' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l by -d 'Who resolves them (default: $USER)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l all -d 'Every entry (required when no other selector is given)'
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l dry-run -d 'Show what would be replayed; change nothing'
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from replay" -s y -l yes -d 'Do not ask for confirmation'
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from replay" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from replay" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from replay" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from ignore" -l type -d 'Entries of this event type' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from ignore" -l booking -d 'Entries about this booking (e.g. BKG-001)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from ignore" -l since -d 'Entries created since: a duration ago (2h, 7d) or a time (2026-11-25T10:00:00Z)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from ignore" -l until -d 'Entries created before: a duration ago or a time' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from ignore" -l resolution -d 'Resolution to record: ignored (default) or manual (fixed by hand)' -r -f -a "ignored\t''
manual\t''"
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from ignore" -l by -r
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from ignore" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from ignore" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from ignore" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from ignore" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from ignore" -l all -d 'Every entry (required when no other selector is given)'
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from ignore" -l dry-run
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from ignore" -s y -l yes
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from ignore" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from ignore" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from ignore" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l type -d 'Entries of this event type' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l booking -d 'Entries about this booking (e.g. BKG-001)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l since -d 'Entries created since: a duration ago (2h, 7d) or a time (2026-11-25T10:00:00Z)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l until -d 'Entries created before: a duration ago or a time' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l all -d 'Every entry (required when no other selector is given)'
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l resolved -d 'Only resolved entries (with no other selector: those past dead_letter.retention_days)'
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from purge" -l dry-run
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from purge" -s y -l yes
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from purge" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from purge" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from purge" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from help" -f -a "list" -d 'Dead letters, newest first'
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from help" -f -a "show" -d 'One entry: the event (or raw payload) and every error'
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from help" -f -a "replay" -d 'Process entries again: only the handlers that failed run, once'
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from help" -f -a "ignore" -d 'Resolve entries without processing them'
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from help" -f -a "purge" -d 'Delete entries for good'
complete -c slotbase -n "__fish_slotbase_using_subcommand dlq; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c slotbase -n "__fish_slotbase_using_subcommand prefs; and not __fish_seen_subcommand_from get set list help" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand prefs; and not __fish_seen_subcommand_from get set list help" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand prefs; and not __fish_seen_subcommand_from get set list help" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand prefs; and not __fish_seen_subcommand_from get set list help" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand prefs; and not __fish_seen_subcommand_from get set list help" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand prefs; and not __fish_seen_subcommand_from get set list help" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand prefs; and not __fish_seen_subcommand_from get set list help" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand prefs; and not __fish_seen_subcommand_from get set list help" -f -a "get" -d 'One user\'s preferences (defaults if they set none)'
complete -c slotbase -n "__fish_slotbase_using_subcommand prefs; and not __fish_seen_subcommand_from get set list help" -f -a "set" -d 'Change preferences: email, push, sms, in_app, marketing, partner_digest = on|off'
complete -c slotbase -n "__fish_slotbase_using_subcommand prefs; and not __fish_seen_subcommand_from get set list help" -f -a "list" -d 'Every user who set preferences'
complete -c slotbase -n "__fish_slotbase_using_subcommand prefs; and not __fish_seen_subcommand_from get set list help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c slotbase -n "__fish_slotbase_using_subcommand prefs; and __fish_seen_subcommand_from get" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand prefs; and __fish_seen_subcommand_from get" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand prefs; and __fish_seen_subcommand_from get" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand prefs; and __fish_seen_subcommand_from get" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand prefs; and __fish_seen_subcommand_from get" -l json -d 'Print JSON'
complete -c slotbase -n "__fish_slotbase_using_subcommand prefs; and __fish_seen_subcommand_from get" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand prefs; and __fish_seen_subcommand_from get" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand prefs; and __fish_seen_subcommand_from get" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand prefs; and __fish_seen_subcommand_from set" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand prefs; and __fish_seen_subcommand_from set" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand prefs; and __fish_seen_subcommand_from set" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand prefs; and __fish_seen_subcommand_from set" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand prefs; and __fish_seen_subcommand_from set" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand prefs; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand prefs; and __fish_seen_subcommand_from set" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand prefs; and __fish_seen_subcommand_from list" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand prefs; and __fish_seen_subcommand_from list" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand prefs; and __fish_seen_subcommand_from list" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand prefs; and __fish_seen_subcommand_from list" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand prefs; and __fish_seen_subcommand_from list" -l json -d 'Print JSON'
complete -c slotbase -n "__fish_slotbase_using_subcommand prefs; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand prefs; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand prefs; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand prefs; and __fish_seen_subcommand_from help" -f -a "get" -d 'One user\'s preferences (defaults if they set none)'
complete -c slotbase -n "__fish_slotbase_using_subcommand prefs; and __fish_seen_subcommand_from help" -f -a "set" -d 'Change preferences: email, push, sms, in_app, marketing, partner_digest = on|off'
complete -c slotbase -n "__fish_slotbase_using_subcommand prefs; and __fish_seen_subcommand_from help" -f -a "list" -d 'Every user who set preferences'
complete -c slotbase -n "__fish_slotbase_using_subcommand prefs; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c slotbase -n "__fish_slotbase_using_subcommand notifications; and not __fish_seen_subcommand_from list show help" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand notifications; and not __fish_seen_subcommand_from list show help" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand notifications; and not __fish_seen_subcommand_from list show help" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand notifications; and not __fish_seen_subcommand_from list show help" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand notifications; and not __fish_seen_subcommand_from list show help" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand notifications; and not __fish_seen_subcommand_from list show help" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand notifications; and not __fish_seen_subcommand_from list show help" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand notifications; and not __fish_seen_subcommand_from list show help" -f -a "list" -d 'Notifications, newest first'
complete -c slotbase -n "__fish_slotbase_using_subcommand notifications; and not __fish_seen_subcommand_from list show help" -f -a "show" -d 'One notification with its content and metadata'
complete -c slotbase -n "__fish_slotbase_using_subcommand notifications; and not __fish_seen_subcommand_from list show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c slotbase -n "__fish_slotbase_using_subcommand notifications; and __fish_seen_subcommand_from list" -l user -d 'Only this user\'s' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand notifications; and __fish_seen_subcommand_from list" -l status -d 'pending, sent or failed' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand notifications; and __fish_seen_subcommand_from list" -l template -d 'Only this template (e.g. booking_confirmation)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand notifications; and __fish_seen_subcommand_from list" -l event -d 'Only those created by this event' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand notifications; and __fish_seen_subcommand_from list" -l limit -r
complete -c slotbase -n "__fish_slotbase_using_subcommand notifications; and __fish_seen_subcommand_from list" -l offset -r
complete -c slotbase -n "__fish_slotbase_using_subcommand notifications; and __fish_seen_subcommand_from list" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand notifications; and __fish_seen_subcommand_from list" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand notifications; and __fish_seen_subcommand_from list" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand notifications; and __fish_seen_subcommand_from list" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand notifications; and __fish_seen_subcommand_from list" -l json -d 'Print JSON'
complete -c slotbase -n "__fish_slotbase_using_subcommand notifications; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand notifications; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand notifications; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand notifications; and __fish_seen_subcommand_from show" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand notifications; and __fish_seen_subcommand_from show" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand notifications; and __fish_seen_subcommand_from show" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand notifications; and __fish_seen_subcommand_from show" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand notifications; and __fish_seen_subcommand_from show" -l json -d 'Print JSON'
complete -c slotbase -n "__fish_slotbase_using_subcommand notifications; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand notifications; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand notifications; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand notifications; and __fish_seen_subcommand_from help" -f -a "list" -d 'Notifications, newest first'
complete -c slotbase -n "__fish_slotbase_using_subcommand notifications; and __fish_seen_subcommand_from help" -f -a "show" -d 'One notification with its content and metadata'
complete -c slotbase -n "__fish_slotbase_using_subcommand notifications; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c slotbase -n "__fish_slotbase_using_subcommand daemon" -l concurrency -d 'Jobs processed at once per queue (overrides daemon.concurrency)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand daemon" -l listen -d 'HTTP listener address (overrides http.listen)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand daemon" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand daemon" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand daemon" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand daemon" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand daemon" -l no-http -d 'Do not start the HTTP listener (/healthz, /readyz, /metrics)'
complete -c slotbase -n "__fish_slotbase_using_subcommand daemon" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand daemon" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand daemon" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand config; and not __fish_seen_subcommand_from check show help" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand config; and not __fish_seen_subcommand_from check show help" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand config; and not __fish_seen_subcommand_from check show help" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand config; and not __fish_seen_subcommand_from check show help" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand config; and not __fish_seen_subcommand_from check show help" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand config; and not __fish_seen_subcommand_from check show help" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand config; and not __fish_seen_subcommand_from check show help" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand config; and not __fish_seen_subcommand_from check show help" -f -a "check" -d 'Validate the configuration; exit 78 with the file, key and reason if it is invalid'
complete -c slotbase -n "__fish_slotbase_using_subcommand config; and not __fish_seen_subcommand_from check show help" -f -a "show" -d 'Print the effective configuration, secrets masked'
complete -c slotbase -n "__fish_slotbase_using_subcommand config; and not __fish_seen_subcommand_from check show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c slotbase -n "__fish_slotbase_using_subcommand config; and __fish_seen_subcommand_from check" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand config; and __fish_seen_subcommand_from check" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand config; and __fish_seen_subcommand_from check" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand config; and __fish_seen_subcommand_from check" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand config; and __fish_seen_subcommand_from check" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand config; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand config; and __fish_seen_subcommand_from check" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand config; and __fish_seen_subcommand_from show" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand config; and __fish_seen_subcommand_from show" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand config; and __fish_seen_subcommand_from show" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand config; and __fish_seen_subcommand_from show" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand config; and __fish_seen_subcommand_from show" -l json -d 'Print JSON instead of TOML'
complete -c slotbase -n "__fish_slotbase_using_subcommand config; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand config; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand config; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "check" -d 'Validate the configuration; exit 78 with the file, key and reason if it is invalid'
complete -c slotbase -n "__fish_slotbase_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print the effective configuration, secrets masked'
complete -c slotbase -n "__fish_slotbase_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c slotbase -n "__fish_slotbase_using_subcommand bench" -l backend -d 'The backend to measure (redis needs --redis URL or redis.url; sqlite uses a temporary file unless --db is given)' -r -f -a "sqlite\t''
redis\t''"
complete -c slotbase -n "__fish_slotbase_using_subcommand bench" -l jobs -d 'Jobs for the throughput phases' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand bench" -l concurrency -d 'Worker concurrency in the consume phase (Bull\'s peer uses the same)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand bench" -l batch -d 'Jobs per claim and per complete in the batched phase' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand bench" -l samples -d 'Samples for the idle-latency phase' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand bench" -l rounds -d 'Rounds of the add and consume phases, each followed by the Bull peer\'s; rates are the median round\'s, ratios the median of the rounds\'' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand bench" -l bull-peer -d 'Also run real Bull with this script (benches/bull-peer.js; needs node and `npm ci --prefix tests/interop`), on the same Redis' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand bench" -l webhook-events -d 'Events in the throughput phase (each is delivered to every endpoint)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand bench" -l webhook-endpoints -d 'Endpoints subscribed to the benchmark\'s events' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand bench" -l webhook-rate -d 'Deliveries per second offered in the latency phase' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand bench" -l webhook-seconds -d 'Length of the latency phase, in seconds' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand bench" -l webhook-concurrency -d 'Override webhooks.concurrency of the daemon under test' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand bench" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand bench" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand bench" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand bench" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand bench" -l json -d 'Print JSON'
complete -c slotbase -n "__fish_slotbase_using_subcommand bench" -l webhooks -d 'Measure webhook delivery end to end through a daemon and a signature-checking receiver instead of the queue'
complete -c slotbase -n "__fish_slotbase_using_subcommand bench" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand bench" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand bench" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand completions" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand completions" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand completions" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand completions" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand completions" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand completions" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand completions" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand man" -l config -d 'Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand man" -l redis -d 'Use Redis queues in Bull v4\'s layout at this URL (overrides redis.url)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand man" -l prefix -d 'Bull key prefix (overrides redis.prefix)' -r
complete -c slotbase -n "__fish_slotbase_using_subcommand man" -l db -d 'The embedded SQLite file (overrides store.path)' -r -F
complete -c slotbase -n "__fish_slotbase_using_subcommand man" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug)'
complete -c slotbase -n "__fish_slotbase_using_subcommand man" -s h -l help -d 'Print help'
complete -c slotbase -n "__fish_slotbase_using_subcommand man" -s V -l version -d 'Print version'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and not __fish_seen_subcommand_from emit events queue webhook dlq prefs notifications daemon config bench completions man help" -f -a "emit" -d 'Publish mock events of any catalogued type'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and not __fish_seen_subcommand_from emit events queue webhook dlq prefs notifications daemon config bench completions man help" -f -a "events" -d 'The event catalog: types, fields, examples'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and not __fish_seen_subcommand_from emit events queue webhook dlq prefs notifications daemon config bench completions man help" -f -a "queue" -d 'Inspect and operate queues (Redis in Bull\'s layout, or embedded)'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and not __fish_seen_subcommand_from emit events queue webhook dlq prefs notifications daemon config bench completions man help" -f -a "webhook" -d 'Webhook endpoints, signing and verification'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and not __fish_seen_subcommand_from emit events queue webhook dlq prefs notifications daemon config bench completions man help" -f -a "dlq" -d 'Dead letters: list, show, replay, ignore, purge'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and not __fish_seen_subcommand_from emit events queue webhook dlq prefs notifications daemon config bench completions man help" -f -a "prefs" -d 'Per-user notification preferences'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and not __fish_seen_subcommand_from emit events queue webhook dlq prefs notifications daemon config bench completions man help" -f -a "notifications" -d 'Notifications the daemon created'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and not __fish_seen_subcommand_from emit events queue webhook dlq prefs notifications daemon config bench completions man help" -f -a "daemon" -d 'Run processors, handlers and the HTTP listener (for systemd: Type=notify)'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and not __fish_seen_subcommand_from emit events queue webhook dlq prefs notifications daemon config bench completions man help" -f -a "config" -d 'Validate or show the configuration'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and not __fish_seen_subcommand_from emit events queue webhook dlq prefs notifications daemon config bench completions man help" -f -a "bench" -d 'Measure this machine\'s queue throughput and latency'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and not __fish_seen_subcommand_from emit events queue webhook dlq prefs notifications daemon config bench completions man help" -f -a "completions" -d 'Print a shell completion script'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and not __fish_seen_subcommand_from emit events queue webhook dlq prefs notifications daemon config bench completions man help" -f -a "man" -d 'Print the man page (roff)'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and not __fish_seen_subcommand_from emit events queue webhook dlq prefs notifications daemon config bench completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and __fish_seen_subcommand_from events" -f -a "list" -d 'Every event type of both seeds, with the seed that defines it'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and __fish_seen_subcommand_from events" -f -a "show" -d 'One type\'s fields with their types, and a generated example'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and __fish_seen_subcommand_from events" -f -a "trace" -d 'What the daemon did with one event: handlers, notifications, dead letters'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and __fish_seen_subcommand_from events" -f -a "tail" -d 'Stream the handler runs the daemon records, as it records them'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and __fish_seen_subcommand_from queue" -f -a "stats" -d 'Counts per state for every queue (waiting, active, delayed, paused, completed, failed, prioritized, age of the oldest waiting job)'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and __fish_seen_subcommand_from queue" -f -a "list" -d 'Jobs in one state'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and __fish_seen_subcommand_from queue" -f -a "show" -d 'One job: data, options, times, attempts, failure reason, stack trace, logs'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and __fish_seen_subcommand_from queue" -f -a "drain" -d 'Remove every waiting job (and delayed ones with --delayed)'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and __fish_seen_subcommand_from queue" -f -a "clean" -d 'Remove jobs in a state older than a duration'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and __fish_seen_subcommand_from queue" -f -a "pause" -d 'Pause a queue: workers stop taking jobs; new jobs are kept'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and __fish_seen_subcommand_from queue" -f -a "resume" -d 'Resume a paused queue (whoever paused it)'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and __fish_seen_subcommand_from queue" -f -a "retry" -d 'Move failed jobs back to waiting'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and __fish_seen_subcommand_from queue" -f -a "remove" -d 'Remove jobs (refused while a worker holds them)'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and __fish_seen_subcommand_from queue" -f -a "promote" -d 'Move delayed jobs to waiting now'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and __fish_seen_subcommand_from webhook" -f -a "add" -d 'Register a facility endpoint; prints its signing secret once'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and __fish_seen_subcommand_from webhook" -f -a "list" -d 'Endpoints, with their status (disabled ones say why)'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and __fish_seen_subcommand_from webhook" -f -a "show" -d 'One endpoint, secrets and credentials masked'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and __fish_seen_subcommand_from webhook" -f -a "update" -d 'Change an endpoint (flags as for add; --events replaces the list)'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and __fish_seen_subcommand_from webhook" -f -a "remove" -d 'Delete an endpoint (its delivery log stays)'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and __fish_seen_subcommand_from webhook" -f -a "enable" -d 'Send deliveries to an endpoint again (clears its disable reason)'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and __fish_seen_subcommand_from webhook" -f -a "disable" -d 'Stop deliveries to an endpoint'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and __fish_seen_subcommand_from webhook" -f -a "rotate-secret" -d 'Replace the signing secret; the old one keeps signing during the grace period'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and __fish_seen_subcommand_from webhook" -f -a "deliveries" -d 'The delivery log: one row per attempt, newest first'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and __fish_seen_subcommand_from webhook" -f -a "redeliver" -d 'Send a delivery again now, from this process, and record the attempt'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and __fish_seen_subcommand_from webhook" -f -a "test" -d 'Send a mock event to an endpoint now and print what it answered'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and __fish_seen_subcommand_from webhook" -f -a "preview" -d 'Print the body an endpoint would receive for an event (its mapping applied)'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and __fish_seen_subcommand_from webhook" -f -a "sign" -d 'Sign a payload and print the signature and the headers to send'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and __fish_seen_subcommand_from webhook" -f -a "verify" -d 'Check a signature, or a captured request, and explain why it does not verify'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and __fish_seen_subcommand_from webhook" -f -a "new-secret" -d 'Print a new Standard Webhooks secret (whsec_ + base64 of 32 random bytes)'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and __fish_seen_subcommand_from dlq" -f -a "list" -d 'Dead letters, newest first'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and __fish_seen_subcommand_from dlq" -f -a "show" -d 'One entry: the event (or raw payload) and every error'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and __fish_seen_subcommand_from dlq" -f -a "replay" -d 'Process entries again: only the handlers that failed run, once'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and __fish_seen_subcommand_from dlq" -f -a "ignore" -d 'Resolve entries without processing them'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and __fish_seen_subcommand_from dlq" -f -a "purge" -d 'Delete entries for good'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and __fish_seen_subcommand_from prefs" -f -a "get" -d 'One user\'s preferences (defaults if they set none)'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and __fish_seen_subcommand_from prefs" -f -a "set" -d 'Change preferences: email, push, sms, in_app, marketing, partner_digest = on|off'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and __fish_seen_subcommand_from prefs" -f -a "list" -d 'Every user who set preferences'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and __fish_seen_subcommand_from notifications" -f -a "list" -d 'Notifications, newest first'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and __fish_seen_subcommand_from notifications" -f -a "show" -d 'One notification with its content and metadata'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "check" -d 'Validate the configuration; exit 78 with the file, key and reason if it is invalid'
complete -c slotbase -n "__fish_slotbase_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "show" -d 'Print the effective configuration, secrets masked'
